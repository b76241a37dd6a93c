import { describe, expect, it } from 'vitest';
import { LlmOtelConfigError, resolveConfig } from '../src/config.js';

const resolve = (env: Record<string, string>, options: Parameters<typeof resolveConfig>[0] = {}) =>
  resolveConfig(options, env);

describe('logs and traces configuration', () => {
  it('is off when nothing asks for it (even with the generic OTLP endpoint set)', () => {
    expect(resolve({}).logs).toBe(false);
    expect(resolve({}).traces).toBe(false);
    const generic = resolve({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(generic.logs).toBe(false);
    expect(generic.traces).toBe(false);
  });

  it('OTEL_LOGS_EXPORTER=otlp: localhost, http/protobuf, the spec defaults of the batch processor', () => {
    expect(resolve({ OTEL_LOGS_EXPORTER: 'otlp' }).logs).toEqual({
      otlp: { url: 'http://localhost:4318/v1/logs', protocol: 'http/protobuf', timeoutMs: 10000 },
      console: false,
      maxQueueSize: 2048,
      scheduleDelayMs: 1000,
    });
    expect(resolve({ OTEL_TRACES_EXPORTER: 'otlp' }).traces).toEqual({
      otlp: { url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', timeoutMs: 10000 },
      console: false,
      maxQueueSize: 2048,
      scheduleDelayMs: 5000,
    });
  });

  it('appends the signal path to the generic endpoint and uses the signal endpoint as is', () => {
    const env = { OTEL_LOGS_EXPORTER: 'otlp', OTEL_TRACES_EXPORTER: 'otlp' };
    const generic = resolve({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    expect(generic.logs && generic.logs.otlp && generic.logs.otlp.url).toBe('http://collector:4318/v1/logs');
    expect(generic.traces && generic.traces.otlp && generic.traces.otlp.url).toBe('http://collector:4318/v1/traces');
    const specific = resolve({
      ...env,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9999/ingest',
    });
    expect(specific.logs && specific.logs.otlp && specific.logs.otlp.url).toBe('http://logs:9999/ingest');
  });

  it('turns a signal on when only its own endpoint variable is set', () => {
    const config = resolve({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' });
    expect(config.traces && config.traces.otlp && config.traces.otlp.url).toBe('http://jaeger:4318/v1/traces');
    expect(config.logs).toBe(false);
  });

  it('takes the signal protocol and timeout before the generic ones; gRPC keeps the endpoint', () => {
    const config = resolve({
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '500',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317',
      OTEL_BLRP_MAX_QUEUE_SIZE: '100',
      OTEL_BLRP_SCHEDULE_DELAY: '250',
    });
    expect(config.logs).toEqual({
      otlp: { url: 'http://collector:4317/', protocol: 'grpc', timeoutMs: 500 },
      console: false,
      maxQueueSize: 100,
      scheduleDelayMs: 250,
    });
  });

  it('accepts a list: console and otlp together; none alone turns the signal off', () => {
    const both = resolve({ OTEL_LOGS_EXPORTER: 'console, otlp' }).logs;
    expect(both && both.console).toBe(true);
    expect(both && both.otlp).not.toBe(false);
    expect(resolve({ OTEL_LOGS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://x:1' }).logs).toBe(false);
    const consoleOnly = resolve({ OTEL_TRACES_EXPORTER: 'console' }).traces;
    expect(consoleOnly && consoleOnly.otlp).toBe(false);
  });

  it('lets the options win over the variables', () => {
    const config = resolve(
      { OTEL_LOGS_EXPORTER: 'console', OTEL_TRACES_EXPORTER: 'otlp' },
      {
        logs: { exporter: 'otlp', endpoint: 'http://mine:4318', protocol: 'http/json', maxQueueSize: 10 },
        traces: false,
      },
    );
    expect(config.logs).toEqual({
      otlp: { url: 'http://mine:4318/v1/logs', protocol: 'http/json', timeoutMs: 10000 },
      console: false,
      maxQueueSize: 10,
      scheduleDelayMs: 1000,
    });
    expect(config.traces).toBe(false);
    const onByOption = resolve({}, { logs: {} }).logs;
    expect(onByOption && onByOption.otlp && onByOption.otlp.url).toBe('http://localhost:4318/v1/logs');
  });

  it('rejects bad values, naming the variable or option and what is accepted', () => {
    expect(() => resolve({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      /OTEL_TRACES_EXPORTER="zipkin" is not valid; accepted: a comma-separated list of otlp, console, none/,
    );
    expect(() => resolve({ OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'udp' })).toThrow(
      /OTEL_EXPORTER_OTLP_LOGS_PROTOCOL="udp"/,
    );
    expect(() => resolve({ OTEL_LOGS_EXPORTER: 'otlp', OTEL_BLRP_MAX_QUEUE_SIZE: '0' })).toThrow(
      /OTEL_BLRP_MAX_QUEUE_SIZE="0" is not valid/,
    );
    expect(() => resolve({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_LOGS_ENDPOINT/,
    );
    expect(() => resolve({}, { traces: { exporter: 'jaeger' as 'otlp' } })).toThrow(LlmOtelConfigError);
    expect(() => resolve({}, { traces: { maxQueueSize: 1.5 } })).toThrow(/traces.maxQueueSize=1.5/);
  });
});
