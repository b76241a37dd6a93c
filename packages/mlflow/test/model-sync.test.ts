// Feature 1 against a real MLflow server: the registry is mirrored into MLflow's (version, tags,
// alias) and follows the alias back.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getModelRegistry, ModelRegistry } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ModelSync, startModelSync } from '../src/index.js';
import { deployedVersions } from './utils/metrics.js';
import { type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { aliasTarget, rest, versionsOf } from './utils/rest.js';

let mlflow: MlflowServer;
const syncs: ModelSync[] = [];
const WAIT = { timeout: 20_000, interval: 50 };

beforeAll(async () => {
  mlflow = await startMlflowServer();
}, 120_000);

afterAll(async () => {
  await mlflow?.stop();
});

afterEach(() => {
  for (const sync of syncs.splice(0)) sync.stop();
  metrics.disable();
});

/**
 * A proxy in front of the MLflow server: reads pass through, writes get MLflow's permission error
 * (as its basic-auth app answers a read-only user).
 */
async function readOnlyProxy() {
  const proxy = createServer((req, res) => {
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
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => {
      proxy.closeAllConnections();
      return new Promise((resolve) => proxy.close(resolve));
    },
  };
}

function sync(registry: ModelRegistry, options: Parameters<typeof startModelSync>[0] = {}): ModelSync {
  const s = startModelSync({ trackingUri: mlflow.url, registry, serviceName: 'chat-api', ...options }, {});
  syncs.push(s);
  return s;
}

describe('model versioning in MLflow', () => {
  it('registerModel() creates the registered model and a tagged version, and points production at it', async () => {
    const registry = new ModelRegistry();
    const s = sync(registry);
    const before = Date.now();
    registry.registerModel({
      modelName: 'mistral',
      version: 'v1.0.0',
      modelHash: 'sha256:abc123',
      metadata: { deploymentDate: '2024-01-01T00:00:00Z' },
    });
    await vi.waitFor(async () => expect(await aliasTarget(mlflow.url, 'mistral')).toBeDefined(), WAIT);
    expect(await aliasTarget(mlflow.url, 'mistral')).toEqual({
      version: '1',
      tags: {
        'llm_otel.version': 'v1.0.0',
        'llm_otel.model_hash': 'sha256:abc123',
        'llm_otel.service_name': 'chat-api',
        'llm_otel.deployed_at': '2024-01-01T00:00:00.000Z',
      },
    });
    const { registered_model: model } = (await rest(mlflow.url, 'GET', 'registered-models/get', {
      name: 'mistral',
    })) as { registered_model: { tags: unknown; creation_timestamp: number } };
    expect(model.tags).toEqual([{ key: 'llm_otel.service_name', value: 'chat-api' }]);
    expect(model.creation_timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(s.status()).toMatchObject({ reachable: true, pushed: 1, pending: 0, dropped: 0 });
  });

  it('a new version moves the alias; registering an earlier version again reuses its MLflow version', async () => {
    const registry = new ModelRegistry();
    const s = sync(registry);
    registry.registerModel({ modelName: 'llama', version: 'v1', modelHash: 'aaaaaa' });
    await vi.waitFor(() => expect(s.status().pushed).toBe(1), WAIT);
    registry.registerModel({ modelName: 'llama', version: 'v2', modelHash: 'bbbbbb' });
    await vi.waitFor(() => expect(s.status().pushed).toBe(2), WAIT);
    expect((await aliasTarget(mlflow.url, 'llama'))?.tags['llm_otel.version']).toBe('v2');
    // A rollback to v1: the same MLflow version gets the alias back, none is created.
    registry.registerModel({ modelName: 'llama', version: 'v1', modelHash: 'aaaaaa' });
    await vi.waitFor(() => expect(s.status().pushed).toBe(3), WAIT);
    expect(await aliasTarget(mlflow.url, 'llama')).toMatchObject({ version: '1' });
    expect((await versionsOf(mlflow.url, 'llama')).map((v) => v.version).sort()).toEqual(['1', '2']);
  });

  it('registrations made in a burst reach MLflow in order: the alias ends at the last one', async () => {
    const registry = new ModelRegistry();
    const s = sync(registry);
    for (let i = 1; i <= 5; i++)
      registry.registerModel({ modelName: 'burst', version: `v${i}`, modelHash: `abcde${i}` });
    await vi.waitFor(() => expect(s.status().pending).toBe(0), WAIT);
    await s.syncNow();
    expect((await aliasTarget(mlflow.url, 'burst'))?.tags['llm_otel.version']).toBe('v5');
    // Superseded registrations may be skipped (at most one pending per model), never reordered.
    const created = (await versionsOf(mlflow.url, 'burst')).map((v) => Number(v.version)).sort((a, b) => a - b);
    expect(created.length).toBeLessThanOrEqual(5);
    expect(registry.getModelVersion('burst')).toBe('v5');
  });

  it('another alias name is used when configured', async () => {
    const registry = new ModelRegistry();
    const s = sync(registry, { alias: 'canary' });
    registry.registerModel({ modelName: 'phi', version: 'v9', modelHash: 'cccccc' });
    await vi.waitFor(() => expect(s.status().pushed).toBe(1), WAIT);
    expect(await aliasTarget(mlflow.url, 'phi', 'canary')).toMatchObject({ version: '1' });
    expect(await aliasTarget(mlflow.url, 'phi', 'production')).toBeUndefined();
  });

  it('the alias moved in MLflow: after a poll the registry and llm_model_version follow it', async () => {
    const deployed = deployedVersions();
    const registry = getModelRegistry();
    const s = sync(registry, { pollIntervalMs: 200 });
    registry.registerModel({ modelName: 'gemma', version: 'v1', modelHash: 'dddddd' });
    await vi.waitFor(() => expect(s.status().pushed).toBe(1), WAIT);
    // Someone registers v2 in MLflow (with llm-otel's tags) and moves production there.
    await rest(mlflow.url, 'POST', 'model-versions/create', {
      name: 'gemma',
      source: 'llm-otel://gemma/v2',
      tags: [
        { key: 'llm_otel.version', value: 'v2' },
        { key: 'llm_otel.model_hash', value: 'eeeeee' },
      ] as unknown as string,
    });
    await rest(mlflow.url, 'POST', 'registered-models/alias', { name: 'gemma', alias: 'production', version: '2' });
    await vi.waitFor(() => expect(registry.getModelVersion('gemma')).toBe('v2'), WAIT);
    expect(registry.getModelInfo('gemma')?.metadata).toMatchObject({ mlflowVersion: '2', mlflowAlias: 'production' });
    expect((await deployed()).filter((a) => a['llm.model.name'] === 'gemma')).toEqual([
      { 'llm.model.name': 'gemma', 'llm.model.version': 'v2', 'llm.model.hash': 'eeeeee' },
    ]);
    // Following is not a registration to push back: MLflow still has two versions, the alias stays at 2.
    await s.syncNow();
    expect((await versionsOf(mlflow.url, 'gemma')).length).toBe(2);
    expect(await aliasTarget(mlflow.url, 'gemma')).toMatchObject({ version: '2' });
    expect(s.status()).toMatchObject({ followed: 1, pushed: 1 });
    registry.unregisterModel('gemma');
  });

  it('at start, models named in `models` take their version from the alias; a version without the hash tag is not followed', async () => {
    await rest(mlflow.url, 'POST', 'registered-models/create', { name: 'from-mlflow' });
    await rest(mlflow.url, 'POST', 'model-versions/create', {
      name: 'from-mlflow',
      source: 'llm-otel://from-mlflow/x',
      tags: [{ key: 'llm_otel.model_hash', value: 'sha256:0123456789' }] as unknown as string,
    });
    await rest(mlflow.url, 'POST', 'registered-models/alias', {
      name: 'from-mlflow',
      alias: 'production',
      version: '1',
    });
    await rest(mlflow.url, 'POST', 'registered-models/create', { name: 'untagged' });
    await rest(mlflow.url, 'POST', 'model-versions/create', { name: 'untagged', source: 'llm-otel://untagged/x' });
    await rest(mlflow.url, 'POST', 'registered-models/alias', { name: 'untagged', alias: 'production', version: '1' });

    const registry = new ModelRegistry();
    const s = sync(registry, { models: ['from-mlflow', 'untagged', 'absent'] });
    await s.syncNow();
    // No llm_otel.version tag: MLflow's version number is the version.
    expect(registry.getModelInfo('from-mlflow')).toMatchObject({ version: '1', modelHash: 'sha256:0123456789' });
    expect(registry.getModelInfo('untagged')).toBeUndefined();
    expect(registry.getModelInfo('absent')).toBeUndefined();
    expect(s.status()).toMatchObject({ followed: 1, dropped: 0, pushed: 0 });
  });

  it('at start, models this process registered before are sent; models restored from an earlier run are not', async () => {
    const registry = new ModelRegistry();
    const earlier = new Date(performance.timeOrigin - 60_000).toISOString();
    registry.attachStore({
      name: 'memory',
      load: () => ({
        format: 'llm-otel.model-registry',
        version: 1,
        models: [
          {
            modelName: 'restored',
            version: 'v0',
            modelHash: 'aaaaaa',
            metadata: {},
            deployedAt: earlier,
            registeredAt: earlier,
          },
        ],
      }),
      save: () => {},
    });
    registry.registerModel({ modelName: 'early', version: 'v1', modelHash: 'bbbbbb' });
    const s = sync(registry);
    await vi.waitFor(() => expect(s.status()).toMatchObject({ pushed: 1, pending: 0 }), WAIT);
    expect(await aliasTarget(mlflow.url, 'early')).toMatchObject({ tags: { 'llm_otel.version': 'v1' } });
    expect(await aliasTarget(mlflow.url, 'restored')).toBeUndefined();
  });

  it('a registration MLflow refuses is dropped and counted, the others go on', async () => {
    const registry = new ModelRegistry();
    const s = sync(registry);
    // MLflow refuses ':' in model names; our registry accepts it.
    registry.registerModel({ modelName: 'bad:name', version: 'v1', modelHash: 'ffffff' });
    registry.registerModel({ modelName: 'good-name', version: 'v1', modelHash: 'ffffff' });
    await vi.waitFor(() => expect(s.status()).toMatchObject({ pushed: 1, dropped: 1, pending: 0 }), WAIT);
    expect(s.status().lastError).toMatch(/INVALID_PARAMETER_VALUE/);
    expect(await aliasTarget(mlflow.url, 'good-name')).toBeDefined();
    expect(registry.getModelVersion('bad:name')).toBe('v1');
  });
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
    const proxy = await readOnlyProxy();
    const sync = startModelSync({ trackingUri: proxy.url, registry, models: ['ro'], pollIntervalMs: 100 }, {});
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
      await proxy.close();
    }
  });
});
