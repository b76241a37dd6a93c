import { createServer, type Server } from 'node:http';
import { type ModelInfo, ModelRegistry, ModelRegistryError } from '@llm-otel/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createModelVersionHandler } from '../src/index.js';
import { collectByName, installProvider, pointsWith } from './collect-metrics.js';

const servers: Server[] = [];
async function serve(listener: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

afterAll(() => {
  for (const s of servers) s.close();
});

describe('model version endpoint: failures stay inside', () => {
  it('unserialisable metadata is refused at registration and the endpoint keeps answering', async () => {
    const registry = new ModelRegistry();
    registry.registerModel({ modelName: 'mistral', version: 'v1', modelHash: 'abc123' });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() =>
      registry.registerModel({ modelName: 'phi', version: 'v1', modelHash: 'abc123', metadata: { circular } }),
    ).toThrow(ModelRegistryError);
    expect(() =>
      registry.registerModel({ modelName: 'phi', version: 'v1', modelHash: 'abc123', metadata: { size: 1n } }),
    ).toThrow(/metadata\.size/);
    const handler = createModelVersionHandler({ registry, publicMetadataKeys: ['circular', 'size'] });
    const base = await serve((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end();
    });
    const response = await fetch(`${base}/api/v1/models/version`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { models: Array<{ name: string }> }).models.map((m) => m.name)).toEqual([
      'mistral',
    ]);
  });

  it('answers 500 with a short body when reading the registry fails', async () => {
    // A registry an app extended, whose listing fails (e.g. it reads from somewhere that is down).
    class FailingRegistry extends ModelRegistry {
      override listModels(): ModelInfo[] {
        throw new Error('registry store unavailable: secret-token-123');
      }
    }
    const { reader } = installProvider();
    const handler = createModelVersionHandler({ registry: new FailingRegistry() });
    let thrown: unknown;
    const base = await serve((req, res) => {
      try {
        if (!handler(req, res)) res.writeHead(404).end();
      } catch (error) {
        thrown = error;
        res.writeHead(599).end();
      }
    });
    const response = await fetch(`${base}/api/v1/models/version`);
    expect(thrown).toBeUndefined();
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: 'internal error' });
    expect(body).not.toContain('secret');
    const errors = (await collectByName(reader)).get('llm_otel_internal_errors_total');
    expect(pointsWith<number>(errors, { 'llm_otel.component': 'model-version-endpoint' })[0]?.value).toBe(1);
  });

  it('never throws when the app already started the response', async () => {
    const handler = createModelVersionHandler({ registry: new ModelRegistry() });
    let thrown: unknown;
    let handled: boolean | undefined;
    const base = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('started by the app;');
      try {
        handled = handler(req, res);
      } catch (error) {
        thrown = error;
      }
      if (!res.writableEnded) res.end('ended by the test');
    });
    const response = await fetch(`${base}/api/v1/models/version`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('started by the app;');
    expect(thrown).toBeUndefined();
    expect(handled).toBe(true);
  });
});
