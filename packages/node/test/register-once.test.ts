import { metrics } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { getRegistration, register } from '../src/index.js';

describe('register() called twice', () => {
  it('keeps the first setup, exposes it through getRegistration(), and forgets it after shutdown', async () => {
    expect(getRegistration()).toBeUndefined();
    const first = register({ prometheus: false, otlp: false, instrumentations: [] });
    const second = register({ prometheus: { port: 1 }, otlp: false });
    expect(second).toBe(first);
    expect(getRegistration()).toBe(first);
    expect(metrics.getMeterProvider()).toBe(first.meterProvider);
    await first.shutdown();
    expect(getRegistration()).toBeUndefined();
    const third = register({ prometheus: false, otlp: false, instrumentations: [] });
    expect(third).not.toBe(first);
    await third.shutdown();
  });
});
