import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { METER_NAME } from '@llm-otel/core';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Exposition, freePort, scrape, select } from './helpers.js';

const simulator = new ModelSimulator({ rateLimitRate: 0, serverErrorRate: 0, firstTokenMedianMs: 1 });
let base: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  base = await simulator.start();
});
afterAll(() => {
  child?.kill();
  return simulator.stop();
});

describe('health probe with the auto-instrumentation (instrumentation -> core endpoint list -> node probe)', () => {
  it('exports llm_model_up, unchanged in name and labels, for the endpoints of the clients the app uses', async () => {
    const port = await freePort();
    child = spawn(
      process.execPath,
      ['--import', '@llm-otel/node/register', fileURLToPath(new URL('./fixtures/clients-app.mjs', import.meta.url))],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: {
          ...process.env,
          OPENAI_BASE_URL: `${base}/v1`,
          OLLAMA_HOST: base,
          OTEL_METRICS_EXPORTER: 'prometheus',
          OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
          LLM_OTEL_HEALTH_PROBE: 'true',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [out] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    expect(out.toString()).toContain('done');
    // The probes started when the clients were first used; wait until both answered.
    let page: Exposition;
    for (;;) {
      page = await scrape(`http://127.0.0.1:${port}/metrics`);
      if (select(page, 'llm_model_up').length >= 2) break;
    }
    expect(page.types.get('llm_model_up')).toBe('gauge');
    const simulatorPort = new URL(base).port;
    const up = select(page, 'llm_model_up').map((s) => ({ ...s.labels, value: s.value }));
    expect(up).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          gen_ai_provider_name: 'ollama',
          server_address: '127.0.0.1',
          server_port: simulatorPort,
          value: 1,
        }),
        expect.objectContaining({ server_address: '127.0.0.1', server_port: simulatorPort, value: 1 }),
      ]),
    );
    // The same labels as before the probe moved to @llm-otel/node, on core's meter (the exporter adds its scope).
    for (const { labels } of select(page, 'llm_model_up')) {
      expect(Object.keys(labels).filter((k) => !k.startsWith('otel_scope_'))).toEqual([
        'gen_ai_provider_name',
        'server_address',
        'server_port',
      ]);
      expect(labels.otel_scope_name).toBe(METER_NAME);
    }
  });
});
