// MLflow refuses the app's registration (a read-only user: 403 on writes, as MLflow's basic-auth
// app answers): the app's own registration stands; the poll does not turn it back to the alias.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelRegistry } from '@llm-otel/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startModelSync } from '../src/index.js';
import { type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { rest } from './utils/rest.js';

let mlflow: MlflowServer;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  mlflow = await startMlflowServer();
  // Reads pass through to the real server; writes get MLflow's permission error.
  proxy = createServer((req, res) => {
    if (req.method !== 'GET') {
      req.resume();
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end('{"error_code":"PERMISSION_DENIED","message":"Permission denied"}');
      return;
    }
    const upstream = request(`${mlflow.url}${req.url}`, { method: 'GET', headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await mlflow?.stop();
});

describe('a registration MLflow refuses', () => {
  it('is dropped and counted; the alias keeps its version in MLflow, the app keeps its own', async () => {
    await rest(mlflow.url, 'POST', 'registered-models/create', { name: 'ro' });
    await rest(mlflow.url, 'POST', 'model-versions/create', {
      name: 'ro',
      source: 'llm-otel://ro/v1',
      tags: [
        { key: 'llm_otel.version', value: 'v1' },
        { key: 'llm_otel.model_hash', value: 'aaaaaa' },
      ] as unknown as string,
    });
    await rest(mlflow.url, 'POST', 'registered-models/alias', { name: 'ro', alias: 'production', version: '1' });

    const registry = new ModelRegistry();
    const sync = startModelSync({ trackingUri: proxyUrl, registry, models: ['ro'], pollIntervalMs: 100 }, {});
    try {
      // At start the app follows MLflow's v1 (reads work).
      await vi.waitFor(() => expect(registry.getModelVersion('ro')).toBe('v1'), { timeout: 20_000, interval: 20 });
      registry.registerModel({ modelName: 'ro', version: 'v2', modelHash: 'bbbbbb' });
      await vi.waitFor(() => expect(sync.status()).toMatchObject({ dropped: 1, pending: 0 }), {
        timeout: 20_000,
        interval: 20,
      });
      expect(sync.status().lastError).toMatch(/HTTP 403 PERMISSION_DENIED/);
      // Several polls later, the app still runs its own v2.
      await sync.syncNow();
      await sync.syncNow();
      expect(registry.getModelVersion('ro')).toBe('v2');
      expect(sync.status().followed).toBe(1);
    } finally {
      sync.stop();
    }
  });
});
