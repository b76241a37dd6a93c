import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { mlflowWanted, startMlflowIfConfigured } from '../src/mlflow-hook.js';

describe("register()'s MLflow hook", () => {
  afterEach(() => diag.disable());

  it('is wanted only with MLFLOW_TRACKING_URI set and not turned off by LLM_OTEL_MLFLOW', () => {
    expect(mlflowWanted({})).toBe(false);
    expect(mlflowWanted({ MLFLOW_TRACKING_URI: ' ' })).toBe(false);
    expect(mlflowWanted({ MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' })).toBe(true);
    expect(mlflowWanted({ MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000', LLM_OTEL_MLFLOW: 'false' })).toBe(false);
    expect(startMlflowIfConfigured('svc', {})).toBeUndefined();
  });

  it('a tracking URI MLflow sync can not use is logged, never thrown: the app starts without the sync', async () => {
    const errors: string[] = [];
    diag.setLogger(
      { error: (m) => errors.push(m), warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} },
      DiagLogLevel.ERROR,
    );
    const hook = startMlflowIfConfigured('svc', { MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' });
    expect(hook).toBeDefined();
    await hook?.ready;
    await hook?.stop();
    expect(errors).toEqual([
      expect.stringMatching(/MLflow model sync is not started: .*only an http\(s\) tracking server/),
    ]);
  });
});
