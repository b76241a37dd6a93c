import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { getModelHealthProbe, LlmOtelConfigError, register } from '../src/index.js';
import { freePort, scrape, select } from './helpers.js';

let model: Server;

afterAll(() => model?.close());

describe('register({ healthProbe })', () => {
  it('probes the configured endpoints and serves llm_model_up on /metrics', async () => {
    model = createServer((req, res) =>
      res.writeHead(req.url === '/api/version' ? 200 : 404).end('{"version":"0.6.0"}'),
    );
    await new Promise<void>((r) => model.listen(0, '127.0.0.1', r));
    const address = model.address();
    const modelPort = typeof address === 'object' && address ? address.port : 0;
    const port = await freePort();
    const handle = register({
      prometheus: { host: '127.0.0.1', port },
      otlp: false,
      healthProbe: {
        intervalMs: 60_000,
        timeoutMs: 1000,
        endpoints: [
          { provider: 'ollama', baseUrl: `http://127.0.0.1:${modelPort}`, api: 'ollama' },
          { provider: 'vllm', baseUrl: 'http://127.0.0.1:1/v1', api: 'openai' },
        ],
      },
    });
    try {
      await handle.ready;
      await getModelHealthProbe().probeNow();
      const page = await scrape(handle.prometheusUrl as string);
      expect(page.types.get('llm_model_up')).toBe('gauge');
      expect(
        select(page, 'llm_model_up', { gen_ai_provider_name: 'ollama', server_port: String(modelPort) })[0]?.value,
      ).toBe(1);
      expect(select(page, 'llm_model_up', { gen_ai_provider_name: 'vllm' })[0]?.value).toBe(0);
    } finally {
      await handle.shutdown();
      getModelHealthProbe().clear();
    }
    expect(getModelHealthProbe().running).toBe(false);
  });

  it('rejects a bad interval with an error naming the option', () => {
    expect(() => register({ prometheus: false, healthProbe: { intervalMs: -5 } })).toThrow(LlmOtelConfigError);
    expect(() => register({ prometheus: false, healthProbe: { intervalMs: -5 } })).toThrow(
      /healthProbe: .*intervalMs=-5/,
    );
  });
});
