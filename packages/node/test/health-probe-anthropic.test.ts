import { createServer, type IncomingHttpHeaders } from 'node:http';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { metrics } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getModelHealthProbe } from '../src/index.js';
import { collectByName, installProvider, pointsWith } from './collect-metrics.js';

const simulator = new ModelSimulator({ rateLimitRate: 0, serverErrorRate: 0, firstTokenMedianMs: 1 });
let base: string;

beforeAll(async () => {
  base = await simulator.start();
});
afterAll(() => simulator.stop());
afterEach(() => {
  getModelHealthProbe().stop();
  getModelHealthProbe().clear();
  metrics.disable();
});

describe('health probe of Anthropic endpoints', () => {
  it('probes GET {baseURL}/v1/models and exports llm_model_up for provider anthropic: 1 up, 0 down', async () => {
    const { reader } = installProvider();
    const probe = getModelHealthProbe();
    // Anthropic's base URL is the host, without `/v1` (as the client's `baseURL`).
    probe.watch({ provider: 'anthropic', baseUrl: base, api: 'anthropic' });
    probe.watch({ provider: 'anthropic', baseUrl: 'http://127.0.0.1:1', api: 'anthropic' }); // nothing listens
    probe.start({ intervalMs: 60_000, timeoutMs: 2000 });
    await probe.probeNow();
    expect(probe.results()).toEqual({ [`${base}/v1/models`]: 1, 'http://127.0.0.1:1/v1/models': 0 });
    const up = (await collectByName(reader)).get('llm_model_up');
    const points = pointsWith<number>(up, { 'gen_ai.provider.name': 'anthropic' });
    expect(points.map((p) => ({ value: p.value, ...p.attributes }))).toEqual(
      expect.arrayContaining([
        {
          value: 1,
          'gen_ai.provider.name': 'anthropic',
          'server.address': '127.0.0.1',
          'server.port': Number(new URL(base).port),
        },
        { value: 0, 'gen_ai.provider.name': 'anthropic', 'server.address': '127.0.0.1', 'server.port': 1 },
      ]),
    );
    expect(points).toHaveLength(2);
  });

  it('sends the anthropic-version header and counts a 401 (no key) as up', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(req.url === '/proxy/v1/models' ? 401 : 404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const address = server.address();
      const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const probe = getModelHealthProbe();
      probe.watch({ provider: 'anthropic', baseUrl: `${origin}/proxy/`, api: 'anthropic' });
      probe.start({ intervalMs: 60_000, timeoutMs: 1000 });
      await probe.probeNow();
      expect(probe.results()).toEqual({ [`${origin}/proxy/v1/models`]: 1 });
      expect(seen[0]?.['anthropic-version']).toBe('2023-06-01');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
