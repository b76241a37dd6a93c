import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, scrape, select } from './helpers.js';

// Node 24 from the node24 matrix's cache (matrix/node24/run.sh installs it), or LLM_OTEL_NODE24.
const node24 =
  process.env.LLM_OTEL_NODE24 ??
  fileURLToPath(new URL('../../../matrix/node24/.node24/node_modules/.bin/node', import.meta.url));
const simulator = new ModelSimulator({
  rateLimitRate: 0,
  serverErrorRate: 0,
  firstTokenMedianMs: 5,
  perTokenMedianMs: 0.1,
});
let base: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  base = await simulator.start();
});
afterAll(() => simulator.stop());
afterEach(() => {
  child?.kill();
  child = undefined;
});

/** Runs the ES module clients app under `--import @llm-otel/node/register`; its output and its /metrics page. */
async function runClientsApp(node: string) {
  simulator.ledger.clear();
  const port = await freePort();
  child = spawn(
    node,
    ['--import', '@llm-otel/node/register', fileURLToPath(new URL('./fixtures/clients-app.mjs', import.meta.url))],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        OPENAI_BASE_URL: `${base}/v1`,
        OLLAMA_HOST: base,
        OTEL_LOG_LEVEL: 'debug',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  while (!output.includes('done')) await once(child.stdout as NodeJS.ReadableStream, 'data');
  const page = await scrape(`http://127.0.0.1:${port}/metrics`);
  const calls = select(page, 'llm_inference_latency_seconds_count', { gen_ai_request_model: 'gpt-4o-mini' });
  return { output, openaiCalls: calls.reduce((s, x) => s + x.value, 0) };
}

describe('--import @llm-otel/node/register: where the ES module hook runs', () => {
  // Node 20 has no module.registerHooks(): the hook needs its loader thread there.
  it.skipIf(typeof (nodeModule as { registerHooks?: unknown }).registerHooks === 'function')(
    'on Node 20, on a loader thread, and the ES module app is measured',
    async () => {
      const { output, openaiCalls } = await runClientsApp(process.execPath);
      expect(output).toContain('ES module hook for the LLM clients installed on a loader thread');
      expect(openaiCalls).toBe(3);
    },
  );

  // No loader thread (about 15 MiB and 40 ms of CPU at start-up on Node 24): the app's thread runs it.
  it.skipIf(!existsSync(node24))(
    'on Node 24, on the app thread, and the ES module app is measured the same',
    async () => {
      const { output, openaiCalls } = await runClientsApp(node24);
      expect(output).toContain('ES module hook for the LLM clients installed on the app thread');
      expect(openaiCalls).toBe(3);
    },
  );
});
