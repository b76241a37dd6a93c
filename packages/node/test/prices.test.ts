import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlmMetrics, loadPriceTable, type PriceTableData, PriceTableError } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { getRegistration, LlmOtelConfigError, register } from '../src/index.js';
import { type Exposition, freePort, scrape, select } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'llm-otel-prices-'));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A price table file in the temp dir; returns its path. */
function priceFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const OVERRIDE: PriceTableData = {
  version: 1,
  providers: {
    openai: { 'gpt-4o-mini': { input: 2, output: 4 } },
    openai_compatible: { 'gpt-4o-mini': { input: 0.5, output: 1 } },
  },
};
const BAD_ENTRY = { providers: { openai: { 'gpt-x': { input: 1, output: -3 } } } };
const BAD_ENTRY_MESSAGE = 'providers.openai["gpt-x"].output: must be a finite number >= 0 (USD per million tokens)';

/** The cost of one token type of gpt-4o-mini calls of `provider` on a scraped page. */
function cost(page: Exposition, provider: string, type: string): number | undefined {
  return select(page, 'llm_cost_usd_total', {
    gen_ai_provider_name: provider,
    gen_ai_request_model: 'gpt-4o-mini',
    gen_ai_token_type: type,
  })[0]?.value;
}

const inputPriceInUse = () => getLlmMetrics().getPriceTable().lookup('openai', 'gpt-4o-mini')?.input;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('register({ prices })', () => {
  afterEach(async () => {
    await getRegistration()?.shutdown();
    metrics.disable();
    delete process.env.LLM_OTEL_PRICES_FILE;
  });

  it('prices llm_cost_usd_total with the given table on /metrics, and shutdown puts the built-in one back', async () => {
    expect(inputPriceInUse()).toBe(0.15);
    const port = await freePort();
    const handle = register({
      prometheus: { host: '127.0.0.1', port },
      otlp: false,
      instrumentations: [],
      prices: OVERRIDE,
    });
    await handle.ready;
    const call = { operation: 'chat', model: 'gpt-4o-mini', durationSeconds: 1, inputTokens: 1e6, outputTokens: 5e5 };
    getLlmMetrics().recordInference({ ...call, provider: 'openai', serverAddress: 'api.openai.com' });
    getLlmMetrics().recordInference({ ...call, provider: 'openai_compatible', serverAddress: '127.0.0.1' });
    const page = await scrape(handle.prometheusUrl as string);
    expect(cost(page, 'openai', 'input')).toBeCloseTo(2, 12);
    expect(cost(page, 'openai', 'output')).toBeCloseTo(2, 12);
    // A local server costs 0 unless a table prices it: this one does.
    expect(cost(page, 'openai_compatible', 'input')).toBeCloseTo(0.5, 12);
    expect(cost(page, 'openai_compatible', 'output')).toBeCloseTo(0.5, 12);

    await handle.shutdown();
    expect(inputPriceInUse()).toBe(0.15);
  });

  it('accepts a PriceTable from loadPriceTable()', async () => {
    const table = loadPriceTable(OVERRIDE);
    register({ prometheus: false, otlp: false, instrumentations: [], prices: table });
    expect(getLlmMetrics().getPriceTable()).toBe(table);
  });

  it('rejects a bad entry with an LlmOtelConfigError naming the option and the entry, and sets up nothing', () => {
    let thrown: unknown;
    try {
      register({ prometheus: false, otlp: false, prices: BAD_ENTRY as never });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LlmOtelConfigError);
    expect((thrown as Error).message).toBe(`prices: price table: ${BAD_ENTRY_MESSAGE}`);
    expect((thrown as Error).cause).toBeInstanceOf(PriceTableError);
    expect(getRegistration()).toBeUndefined();
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
    expect(inputPriceInUse()).toBe(0.15);
  });

  it('prefers the option over LLM_OTEL_PRICES_FILE, as every option overrides its variable', () => {
    process.env.LLM_OTEL_PRICES_FILE = priceFile('unused.json', BAD_ENTRY);
    register({ prometheus: false, otlp: false, instrumentations: [], prices: OVERRIDE });
    expect(inputPriceInUse()).toBe(2);
  });

  it('reads LLM_OTEL_PRICES_FILE when the option is not given', () => {
    process.env.LLM_OTEL_PRICES_FILE = priceFile('override.json', OVERRIDE);
    register({ prometheus: false, otlp: false, instrumentations: [] });
    expect(inputPriceInUse()).toBe(2);
  });

  it('refuses to read anything but a regular file (a directory, a FIFO would block start-up)', () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub, { recursive: true });
    process.env.LLM_OTEL_PRICES_FILE = sub;
    expect(() => register({ prometheus: false, otlp: false })).toThrow(
      `LLM_OTEL_PRICES_FILE: cannot read the price table file ${sub}: not a regular file`,
    );
    expect(getRegistration()).toBeUndefined();
  });
});

describe('LLM_OTEL_PRICES_FILE with node --import @llm-otel/node/register', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  /** Starts the priced app; resolves with its first stdout line, or rejects with its stderr when it exits first. */
  async function start(env: Record<string, string>): Promise<{ output: Promise<string>; exit: Promise<number> }> {
    child = spawn(process.execPath, ['--import', '@llm-otel/node/register', fixture('priced-app.mjs')], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exit = once(child, 'exit').then(([code]) => code as number);
    const output = Promise.race([
      once(child.stdout as NodeJS.ReadableStream, 'data').then(([d]) => String(d)),
      exit.then((code) => `exit ${code}\n${stderr}`),
    ]);
    return { output, exit };
  }

  it('prices the calls with the file: cost on /metrics reflects the override', async () => {
    const port = await freePort();
    const { output } = await start({
      LLM_OTEL_PRICES_FILE: priceFile('prices.json', OVERRIDE),
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    expect(await output).toContain('ready');
    const page = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(cost(page, 'openai', 'input')).toBeCloseTo(2, 12);
    expect(cost(page, 'openai', 'output')).toBeCloseTo(2, 12);
    expect(cost(page, 'openai_compatible', 'input')).toBeCloseTo(0.5, 12);
  });

  it.each([
    [
      'a bad entry',
      () => priceFile('bad-entry.json', BAD_ENTRY),
      (f: string) => `price table ${f}: ${BAD_ENTRY_MESSAGE}`,
    ],
    [
      'invalid JSON',
      () => priceFile('broken.json', '{"providers": {'),
      (f: string) => `price table ${f}: is not valid JSON`,
    ],
    [
      'a missing file',
      () => join(dir, 'missing.json'),
      (f: string) => `cannot read the price table file ${f}: ENOENT: no such file or directory`,
    ],
  ])('fails at start on %s, naming the variable, the file and the problem', async (_, makeFile, message) => {
    const file = makeFile();
    const { output, exit } = await start({ LLM_OTEL_PRICES_FILE: file, OTEL_EXPORTER_PROMETHEUS_PORT: '0' });
    const text = await output;
    expect(text).not.toContain('ready');
    expect(await exit).not.toBe(0);
    expect(text).toContain(`LlmOtelConfigError: LLM_OTEL_PRICES_FILE: ${message(file)}`);
  });
});
