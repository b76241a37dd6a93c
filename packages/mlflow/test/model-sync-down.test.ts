// MLflow unreachable when the app starts: the app runs on, the sync says so once, retries with
// backoff, and syncs both ways once MLflow is up.
import { ModelRegistry } from '@llm-otel/core';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startModelSync } from '../src/index.js';
import { freePort, type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { aliasTarget } from './utils/rest.js';

let mlflow: MlflowServer | undefined;
afterAll(async () => {
  await mlflow?.stop();
});

describe('MLflow down at start', () => {
  it('registerModel() works at once; one warning per outage; retries with backoff; the version reaches MLflow when it is up', async () => {
    const warnings: string[] = [];
    const infos: string[] = [];
    diag.setLogger(
      {
        error: (m) => warnings.push(m),
        warn: (m) => warnings.push(m),
        info: (m) => infos.push(m),
        debug: () => {},
        verbose: () => {},
      },
      DiagLogLevel.INFO,
    );
    const port = await freePort();
    const registry = new ModelRegistry();
    const sync = startModelSync(
      {
        trackingUri: `http://127.0.0.1:${port}`,
        registry,
        serviceName: 'svc',
        pollIntervalMs: 300,
        retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
      },
      {},
    );
    try {
      // The app's call returns at once, unaffected.
      const info = registry.registerModel({ modelName: 'late', version: 'v1', modelHash: 'abcdef' });
      expect(info.version).toBe('v1');
      expect(registry.getModelVersion('late')).toBe('v1');
      // Several rounds of retries (rounds restart on every poll), one warning.
      await vi.waitFor(() => expect(sync.status().retries).toBeGreaterThanOrEqual(4), {
        timeout: 20_000,
        interval: 20,
      });
      expect(sync.status()).toMatchObject({ reachable: false, pending: 1, pushed: 0, dropped: 0 });
      expect(sync.status().lastError).toMatch(/UNREACHABLE/);
      expect(warnings.filter((w) => w.includes('MLflow is unreachable'))).toHaveLength(1);

      mlflow = await startMlflowServer({ port });
      await vi.waitFor(() => expect(sync.status()).toMatchObject({ pushed: 1, pending: 0 }), {
        timeout: 20_000,
        interval: 50,
      });
      expect(await aliasTarget(mlflow.url, 'late')).toMatchObject({
        version: '1',
        tags: { 'llm_otel.version': 'v1', 'llm_otel.model_hash': 'abcdef', 'llm_otel.service_name': 'svc' },
      });
      expect(sync.status().reachable).toBe(true);
      expect(infos.some((m) => m.includes('reachable again'))).toBe(true);
      expect(warnings.filter((w) => w.includes('MLflow is unreachable'))).toHaveLength(1);
      expect(warnings.filter((w) => !w.includes('MLflow is unreachable'))).toEqual([]);

      // A later outage is reported again, once.
      await mlflow.stop();
      registry.registerModel({ modelName: 'late', version: 'v2', modelHash: 'abcdef' });
      await vi.waitFor(() => expect(sync.status().reachable).toBe(false), { timeout: 20_000, interval: 20 });
      const retried = sync.status().retries;
      await vi.waitFor(() => expect(sync.status().retries).toBeGreaterThan(retried + 3), {
        timeout: 20_000,
        interval: 20,
      });
      expect(warnings.filter((w) => w.includes('MLflow is unreachable'))).toHaveLength(2);
      expect(sync.status()).toMatchObject({ pending: 1, pushed: 1 });
    } finally {
      sync.stop();
      diag.disable();
    }
  }, 150_000);
});
