import { describe, expect, it } from 'vitest';
import { LlmOtelConfigError, resolveConfig } from '../src/index.js';

describe('resolveConfig', () => {
  it('defaults to a Prometheus endpoint on 0.0.0.0:9464 and no OTLP', () => {
    expect(resolveConfig({}, {})).toMatchObject({
      prometheus: { host: '0.0.0.0', port: 9464 },
      otlp: false,
      console: false,
    });
  });

  it('adds OTLP when an OTLP endpoint variable is set', () => {
    const config = resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(config.otlp).toMatchObject({
      url: 'http://collector:4318/v1/metrics',
      protocol: 'http/protobuf',
      intervalMs: 60000,
    });
    expect(config.prometheus).not.toBe(false);
  });

  it('reads the standard variables', () => {
    const config = resolveConfig(
      {},
      {
        OTEL_SERVICE_NAME: 'svc',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
        OTEL_METRIC_EXPORT_INTERVAL: '5000',
      },
    );
    expect(config).toMatchObject({
      serviceName: 'svc',
      prometheus: false,
      otlp: { url: 'http://collector:4317/', protocol: 'grpc', intervalMs: 5000, timeoutMs: 5000 },
    });
  });

  it('uses OTEL_EXPORTER_OTLP_METRICS_ENDPOINT as is', () => {
    const config = resolveConfig(
      {},
      { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/custom' },
    );
    expect(config.otlp).toMatchObject({ url: 'http://c:4318/custom' });
  });

  it('lets options win over variables', () => {
    const config = resolveConfig(
      { serviceName: 'opt', prometheus: { port: 9999 }, otlp: false },
      { OTEL_SERVICE_NAME: 'env', OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_PROMETHEUS_PORT: '1234' },
    );
    expect(config).toMatchObject({ serviceName: 'opt', prometheus: { port: 9999 }, otlp: false });
  });

  it('reads OTEL_EXPORTER_PROMETHEUS_HOST and _PORT, and console and none', () => {
    expect(
      resolveConfig({}, { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '9100' })
        .prometheus,
    ).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(resolveConfig({}, { OTEL_METRICS_EXPORTER: 'none' })).toMatchObject({ prometheus: false, otlp: false });
    expect(resolveConfig({}, { OTEL_METRICS_EXPORTER: 'console' })).toMatchObject({ prometheus: false, console: true });
  });

  it.each([
    [
      { OTEL_METRICS_EXPORTER: 'prometheus,zipkin' },
      /OTEL_METRICS_EXPORTER.*accepted: .*prometheus, otlp, console, none/,
    ],
    [{ OTEL_EXPORTER_PROMETHEUS_PORT: '99999' }, /OTEL_EXPORTER_PROMETHEUS_PORT.*0 to 65535/],
    [
      { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' },
      /OTEL_EXPORTER_OTLP_PROTOCOL.*http\/protobuf, http\/json, grpc/,
    ],
    [
      { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      /OTEL_EXPORTER_OTLP_ENDPOINT.*http:\/\//,
    ],
    [
      { OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_INTERVAL: 'often' },
      /OTEL_METRIC_EXPORT_INTERVAL.*milliseconds/,
    ],
  ])('rejects %o with an error naming the variable and the accepted values', (env, message) => {
    expect(() => resolveConfig({}, env)).toThrow(LlmOtelConfigError);
    expect(() => resolveConfig({}, env)).toThrow(message);
  });

  it('names the option when an option is invalid', () => {
    expect(() => resolveConfig({ prometheus: { port: -1 } }, {})).toThrow(/prometheus\.port/);
    expect(() => resolveConfig({ otlp: { protocol: 'http' as never } }, {})).toThrow(/otlp\.protocol/);
  });

  it('reads the OTLP temporality preference from the option or OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', () => {
    const env = { OTEL_METRICS_EXPORTER: 'otlp' };
    expect(resolveConfig({}, env).otlp).toMatchObject({ temporalityPreference: 'cumulative' });
    expect(
      resolveConfig({}, { ...env, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta' }).otlp,
    ).toMatchObject({ temporalityPreference: 'delta' });
    expect(
      resolveConfig(
        { otlp: { temporalityPreference: 'lowmemory' } },
        { ...env, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' },
      ).otlp,
    ).toMatchObject({ temporalityPreference: 'lowmemory' });
    expect(() => resolveConfig({}, { ...env, OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'deltas' })).toThrow(
      /OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE="deltas" is not valid; accepted: cumulative, delta, lowmemory/,
    );
  });

  it('reads OTEL_LOG_LEVEL, case-insensitive, and rejects unknown levels', () => {
    expect(resolveConfig({}, {}).logLevel).toBeUndefined();
    expect(resolveConfig({}, { OTEL_LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(() => resolveConfig({}, { OTEL_LOG_LEVEL: 'trace' })).toThrow(/OTEL_LOG_LEVEL="trace" is not valid/);
  });
});
