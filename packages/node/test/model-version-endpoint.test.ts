import { createServer, type Server } from 'node:http';
import { ModelRegistry } from '@llm-otel/core';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelVersionHandler } from '../src/index.js';

const registry = new ModelRegistry();
registry.registerModel({
  modelName: 'mistral',
  version: 'v1.1.0',
  modelHash: 'sha256:77aa01fe',
  metadata: { deploymentDate: '2026-11-01T10:00:00Z', owner: 'search-team', apiKeyHint: 'sk-secret' },
});
registry.registerModel({
  modelName: 'llama3/8b',
  version: 'q4_0',
  modelHash: 'abcdef12',
  metadata: { deploymentDate: '2026-10-01T00:00:00Z' },
});
const handler = createModelVersionHandler({ registry, publicMetadataKeys: ['owner'] });

const servers: Server[] = [];
const listen = (server: Server) =>
  new Promise<string>((resolve) => {
    servers.push(server);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
    });
  });

let plain: string;
let viaExpress: string;
let viaFastify: string;
let fastify: ReturnType<typeof Fastify>;

beforeAll(async () => {
  plain = await listen(
    createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end('not mine');
    }),
  );
  const app = express();
  app.use((req, res, next) => {
    if (!handler(req, res)) next();
  });
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  viaExpress = await listen(createServer(app));
  fastify = Fastify();
  const route = (
    request: { raw: import('node:http').IncomingMessage },
    reply: { hijack(): void; raw: import('node:http').ServerResponse },
  ) => {
    reply.hijack();
    handler(request.raw, reply.raw);
  };
  fastify.all('/api/v1/models/version', route);
  fastify.all('/api/v1/models/version/*', route);
  viaFastify = await fastify.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  for (const s of servers) s.close();
  await fastify.close();
});

describe.each([
  ['node:http', () => plain],
  ['Express', () => viaExpress],
  ['Fastify', () => viaFastify],
])('GET /api/v1/models/version through %s', (_, base) => {
  it('lists every registered model with version, hash, deployment time and only public metadata', async () => {
    const response = await fetch(`${base()}/api/v1/models/version`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.json()).toEqual({
      models: [
        {
          name: 'mistral',
          version: 'v1.1.0',
          hash: 'sha256:77aa01fe',
          deployedAt: '2026-11-01T10:00:00.000Z',
          metadata: { owner: 'search-team' },
        },
        { name: 'llama3/8b', version: 'q4_0', hash: 'abcdef12', deployedAt: '2026-10-01T00:00:00.000Z' },
      ],
    });
  });

  it('answers one model by name (URL-encoded) and 404 for unknown names', async () => {
    const one = await fetch(`${base()}/api/v1/models/version/${encodeURIComponent('llama3/8b')}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ name: 'llama3/8b', version: 'q4_0' });
    const missing = await fetch(`${base()}/api/v1/models/version/gpt-9`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'model "gpt-9" is not registered' });
  });

  it('rejects other methods with 405 and Allow', async () => {
    const response = await fetch(`${base()}/api/v1/models/version`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('revalidates with the ETag: 304 while unchanged', async () => {
    const first = await fetch(`${base()}/api/v1/models/version/mistral`);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${base()}/api/v1/models/version/mistral`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });
});

describe('composition', () => {
  it('leaves other paths to the app', async () => {
    expect(await (await fetch(`${plain}/metrics`)).text()).toBe('not mine');
    expect(await (await fetch(`${viaExpress}/health`)).text()).toBe('ok');
  });

  it('shows a re-deploy at once (new ETag)', async () => {
    const before = (await fetch(`${plain}/api/v1/models/version/mistral`)).headers.get('etag');
    registry.registerModel({ modelName: 'mistral', version: 'v1.2.0', modelHash: 'sha256:88bb02ff' });
    const after = await fetch(`${plain}/api/v1/models/version/mistral`, {
      headers: { 'if-none-match': before as string },
    });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ version: 'v1.2.0' });
  });
});
