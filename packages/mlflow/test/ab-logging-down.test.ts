// The A/B logging with MLflow unreachable: the comparisons of the round are dropped and counted,
// one warning per outage, nothing thrown; the app's calls are recorded as ever.
import { defineExperiment, defineVariant, getLlmMetrics, withVariant } from '@llm-otel/core';
import { AbComparator } from '@llm-otel/core/internal';
import { context, DiagLogLevel, diag } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningAbComparisonLogging, startAbComparisonLogging } from '../src/index.js';
import { TestContextManager } from './utils/async-context.js';
import { freePort } from './utils/mlflow-server.js';

const warnings: string[] = [];

beforeAll(() => {
  context.setGlobalContextManager(new TestContextManager());
  diag.setLogger(
    {
      error: (m) => warnings.push(m),
      warn: (m) => warnings.push(m),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
});

afterAll(() => {
  diag.disable();
  context.disable();
});

describe('A/B comparison logging with MLflow down', () => {
  it('drops and counts the points of each round, warns once, never throws', async () => {
    const a = defineVariant({ name: 'down-a' });
    const b = defineVariant({ name: 'down-b' });
    const experiment = defineExperiment({ name: 'down', variants: [a, b] });
    const comparator = new AbComparator({ minSamples: 5, minIntervalMs: 0 });
    comparator.addExperiment(experiment);
    for (let i = 0; i < 10; i++) {
      comparator.call(a, 0.1 + i / 100, false);
      comparator.call(b, 0.2 + i / 100, i === 0);
      withVariant(a, () =>
        getLlmMetrics().recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 0.1 }),
      );
    }
    const port = await freePort(); // nothing listens there
    const logging = startAbComparisonLogging(
      { trackingUri: `http://127.0.0.1:${port}`, experimentId: '1', intervalMs: 3_600_000, comparator },
      {},
    );
    await expect(logging.flushNow()).resolves.toBeUndefined();
    await logging.flushNow();
    // Two arms per round: the first fails and the other is dropped without trying.
    expect(logging.status()).toMatchObject({ reachable: false, delivered: 0, dropped: 4, runs: 0 });
    expect(logging.status().lastError).toMatch(/unreachable/);
    expect(warnings.filter((w) => w.includes('A/B comparisons are dropped'))).toHaveLength(1);
    await expect(logging.stop()).resolves.toBeUndefined();
  });

  it('runs once per process: a second start throws until the first is stopped', async () => {
    const options = { trackingUri: 'http://127.0.0.1:1', experimentId: '1', intervalMs: 3_600_000 };
    const first = startAbComparisonLogging(options, {});
    expect(runningAbComparisonLogging()).toBe(first);
    expect(() => startAbComparisonLogging(options, {})).toThrow(/runs already/);
    await first.stop();
    expect(runningAbComparisonLogging()).toBeUndefined();
    const second = startAbComparisonLogging(options, {});
    expect(runningAbComparisonLogging()).toBe(second);
    await second.stop();
  });

  it('refuses a bad interval with MlflowConfigError', () => {
    expect(() => startAbComparisonLogging({ trackingUri: 'http://127.0.0.1:1', intervalMs: 0 }, {})).toThrow(
      /intervalMs must be a positive number/,
    );
    expect(() => startAbComparisonLogging({}, {})).toThrow(/no MLflow tracking server/);
  });
});
