import { createServer, type Server } from 'node:http';
import { getModelEndpoints } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getModelHealthProbe } from '../src/index.js';
import { collectByName, installProvider, pointsWith } from './collect-metrics.js';

let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/v1/models' || req.url === '/api/version') res.writeHead(200).end('{}');
    else if (req.url === '/broken/v1/models') res.writeHead(503).end();
    else if (req.url === '/auth/v1/models') res.writeHead(401).end();
    else if (req.url === '/slow/v1/models') setTimeout(() => res.writeHead(200).end('{}'), 2000);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

afterEach(() => {
  getModelHealthProbe().stop();
  getModelHealthProbe().clear();
  metrics.disable();
});

describe('model endpoint health probe', () => {
  it('probes OpenAI-compatible /models and Ollama /api/version and exports llm_model_up', async () => {
    const { reader } = installProvider();
    const probe = getModelHealthProbe();
    probe.watch({ provider: 'openai_compatible', baseUrl: `${base}/v1`, api: 'openai' });
    probe.watch({ provider: 'ollama', baseUrl: base, api: 'ollama' });
    probe.watch({ provider: 'ollama', baseUrl: base, api: 'ollama' }); // idempotent
    probe.watch({ provider: 'azure.ai.openai', baseUrl: `${base}/broken/v1`, api: 'openai' });
    probe.watch({ provider: 'openai', baseUrl: `${base}/auth/v1`, api: 'openai' });
    probe.watch({ provider: 'vllm', baseUrl: 'http://127.0.0.1:1/v1', api: 'openai' }); // nothing listens
    probe.start({ intervalMs: 60_000, timeoutMs: 1000 });
    await probe.probeNow();
    expect(probe.results()).toEqual({
      [`${base}/v1/models`]: 1,
      [`${base}/api/version`]: 1,
      [`${base}/broken/v1/models`]: 0,
      [`${base}/auth/v1/models`]: 1,
      'http://127.0.0.1:1/v1/models': 0,
    });
    const up = (await collectByName(reader)).get('llm_model_up');
    expect(up?.dataPoints).toHaveLength(5);
    expect(pointsWith<number>(up, { 'gen_ai.provider.name': 'vllm' })[0]).toMatchObject({
      value: 0,
      attributes: { 'server.address': '127.0.0.1', 'server.port': 1 },
    });
    expect(pointsWith<number>(up, { 'gen_ai.provider.name': 'ollama' })[0]?.value).toBe(1);
  });

  it('probes the endpoints the instrumentations add to core, before and after it started', async () => {
    getModelEndpoints().add({ provider: 'ollama', baseUrl: base, api: 'ollama' });
    const probe = getModelHealthProbe();
    probe.start({ intervalMs: 60_000, timeoutMs: 1000 });
    getModelEndpoints().add({ provider: 'openai_compatible', baseUrl: `${base}/v1/`, api: 'openai' });
    await probe.probeNow();
    expect(probe.results()).toEqual({ [`${base}/api/version`]: 1, [`${base}/v1/models`]: 1 });
  });

  it('counts a probe slower than the timeout as down', async () => {
    installProvider();
    const probe = getModelHealthProbe();
    probe.watch({ provider: 'openai', baseUrl: `${base}/slow/v1`, api: 'openai' });
    probe.start({ intervalMs: 60_000, timeoutMs: 200 });
    await probe.probeNow();
    expect(probe.results()[`${base}/slow/v1/models`]).toBe(0);
  });

  it('rejects invalid options with a clear error and ignores invalid endpoints', () => {
    const probe = getModelHealthProbe();
    expect(() => probe.start({ intervalMs: 0 })).toThrow(/intervalMs=0 is not valid/);
    expect(() => probe.watch({ provider: 'x', baseUrl: 'not a url', api: 'openai' })).not.toThrow();
    expect(probe.results()).toEqual({});
  });
});
