import { describe, expect, it } from 'vitest';
import { MlflowClient, MlflowConfigError, resolveConnection } from '../src/index.js';

describe('MLflow connection settings', () => {
  it('is off without a tracking URI', () => {
    expect(resolveConnection({}, {})).toBeUndefined();
    expect(resolveConnection({}, { MLFLOW_TRACKING_URI: '  ' })).toBeUndefined();
    expect(() => new MlflowClient({}, {})).toThrow(/set MLFLOW_TRACKING_URI/);
  });

  it("reads MLflow's variables; options win; the base URL keeps a path prefix without the trailing slash", () => {
    const env = {
      MLFLOW_TRACKING_URI: 'http://mlflow.internal:5000/prefix/',
      MLFLOW_TRACKING_TOKEN: 'tok',
      MLFLOW_HTTP_REQUEST_TIMEOUT: '3',
    };
    expect(resolveConnection({}, env)).toEqual({
      baseUrl: 'http://mlflow.internal:5000/prefix',
      authorization: 'Bearer tok',
      timeoutMs: 3000,
    });
    expect(resolveConnection({ trackingUri: 'https://other', token: 'x', timeoutMs: 50 }, env)).toEqual({
      baseUrl: 'https://other',
      authorization: 'Bearer x',
      timeoutMs: 50,
    });
  });

  it('basic auth from MLFLOW_TRACKING_USERNAME/PASSWORD; half a pair is an error', () => {
    const connection = resolveConnection(
      {},
      { MLFLOW_TRACKING_URI: 'http://h:1', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p:w' },
    );
    expect(connection?.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    expect(() => resolveConnection({}, { MLFLOW_TRACKING_URI: 'http://h:1', MLFLOW_TRACKING_USERNAME: 'u' })).toThrow(
      /both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD/,
    );
  });

  it.each([
    ['file:///tmp/mlruns', /only an http\(s\) tracking server/],
    ['databricks', /is not a URL/],
    ['http://user:secret@h:1', /not in the URI/],
  ])('rejects %s with a clear error', (uri, message) => {
    expect(() => resolveConnection({}, { MLFLOW_TRACKING_URI: uri })).toThrow(MlflowConfigError);
    expect(() => resolveConnection({}, { MLFLOW_TRACKING_URI: uri })).toThrow(message);
  });

  it('rejects a timeout that is not a positive number', () => {
    expect(() => resolveConnection({ trackingUri: 'http://h:1', timeoutMs: 0 }, {})).toThrow(/positive number/);
    expect(() =>
      resolveConnection({}, { MLFLOW_TRACKING_URI: 'http://h:1', MLFLOW_HTTP_REQUEST_TIMEOUT: 'x' }),
    ).toThrow(/positive number/);
  });
});
