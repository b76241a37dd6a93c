import { describe, expect, it } from 'vitest';
import * as publicApi from '../src/index.js';
import * as internalApi from '../src/internal.js';

describe('the public entry of @llm-otel/core', () => {
  it('exports no building block of the internal entry', () => {
    const shared = Object.keys(internalApi).filter((name) => name in publicApi);
    expect(shared).toEqual([]);
  });

  it('exports the recording, registry, drift, evaluator and pricing entry points', () => {
    for (const name of [
      'getLlmMetrics',
      'getModelRegistry',
      'getDriftMonitor',
      'getEvaluators',
      'getModelEndpoints',
      'builtInPriceTable',
      'parseRateLimitHeaders',
      'LlmOtelConfigError',
      'INSTRUMENTS',
    ]) {
      expect(typeof (publicApi as Record<string, unknown>)[name], name).not.toBe('undefined');
    }
  });
});
