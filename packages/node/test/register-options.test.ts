import { LlmOtelConfigError as CoreConfigError, getLlmMetrics } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { getRegistration, LlmOtelConfigError, type RegisterOptions, register } from '../src/index.js';

afterEach(async () => {
  await getRegistration()?.shutdown();
  metrics.disable();
});

describe('register() checks its options', () => {
  it.each([
    [{ cardinalityLimit: -1 }, /cardinalityLimit=-1 is not valid; accepted: a positive integer/],
    [{ cardinalityLimit: 'abc' }, /cardinalityLimit="abc" is not valid/],
    [{ cardinalityLimit: Number.NaN }, /cardinalityLimit=NaN is not valid/],
    [{ cardinalityLimit: 2.5 }, /cardinalityLimit=2.5/],
    [{ serviceName: 42 }, /serviceName=42 is not valid; accepted: a non-empty string/],
    [{ serviceVersion: '' }, /serviceVersion="" is not valid/],
    [{ resourceAttributes: 'team=a' }, /resourceAttributes="team=a" is not valid/],
    [{ resourceAttributes: { team: { nested: true } } }, /resourceAttributes\.team=\{"nested":true\} is not valid/],
    [{ prometheus: true }, /prometheus=true is not valid; accepted: false or an object/],
    [{ prometheus: { host: '' } }, /prometheus\.host="" is not valid/],
    [{ prometheus: { port: 'abc' } }, /prometheus\.port="abc" is not valid/],
    [{ prometheus: { prot: 9464 } }, /prometheus\.prot is not an option of register\(\)/],
    [{ otlp: 'http://collector:4318' }, /otlp="http:\/\/collector:4318" is not valid/],
    [{ otlp: { endpoint: 4318 } }, /otlp\.endpoint=4318 is not valid/],
    [{ otlp: { intervalMs: -5 } }, /otlp\.intervalMs=-5 is not valid/],
    // A BigInt makes JSON.stringify throw: the message must still name the option.
    [{ otlp: { timeoutMs: 10n } }, /otlp\.timeoutMs=10 is not valid/],
    [{ prometheus: { port: 9464n } }, /prometheus\.port=9464 is not valid/],
    [
      { otlp: { temporalityPreference: 'sometimes' } },
      /otlp\.temporalityPreference="sometimes" is not valid; accepted: cumulative, delta, lowmemory/,
    ],
    [{ instrumentations: {} }, /instrumentations=\{\} is not valid; accepted: an array/],
    [{ instrumentations: [null] }, /instrumentations\[0\]=null is not valid/],
    [{ views: 'all' }, /views="all" is not valid/],
    [{ metrics: 5 }, /metrics=5 is not valid/],
    [{ prices: 'prices.json' }, /prices="prices.json" is not valid; accepted: a price table object/],
    [{ cardinalitylimit: 10 }, /cardinalitylimit is not an option of register\(\); known: serviceName/],
  ])('rejects %o with an LlmOtelConfigError naming the option, and sets up nothing', (options, message) => {
    expect(() => register(options as RegisterOptions)).toThrow(LlmOtelConfigError);
    expect(() => register(options as RegisterOptions)).toThrow(message);
    expect(getRegistration()).toBeUndefined();
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  });

  it('rejects options that are not an object', () => {
    expect(() => register(null as unknown as RegisterOptions)).toThrow(/options=null is not valid/);
  });

  it('treats undefined as the default', async () => {
    const handle = register({
      serviceName: undefined,
      prometheus: false,
      otlp: undefined,
      cardinalityLimit: undefined,
      metrics: undefined,
      views: undefined,
      instrumentations: [],
    });
    expect(handle.meterProvider).toBeDefined();
    expect(handle.config.otlp).toBe(false);
  });

  it.each([
    [{ maxDistinctValues: Number.NaN }, /^metrics: .*maxDistinctValues.*NaN/],
    [{ maxDistinctValues: -5 }, /^metrics: .*maxDistinctValues.*-5/],
  ])('passes metrics %o to core, whose error names the option', (options, message) => {
    const before = getLlmMetrics().getOptions();
    expect(() => register({ metrics: options })).toThrow(message);
    expect(getLlmMetrics().getOptions()).toEqual(before);
    expect(getRegistration()).toBeUndefined();
  });

  it("throws core's LlmOtelConfigError class, so one instanceof check covers both packages", () => {
    expect(LlmOtelConfigError).toBe(CoreConfigError);
    expect(() => register({ cardinalityLimit: 0 })).toThrow(CoreConfigError);
  });
});
