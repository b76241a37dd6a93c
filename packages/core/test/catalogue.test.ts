import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { INSTRUMENT_LIST, INSTRUMENTS } from '../src/index.js';

const SPEC_NAMES = [
  'llm_inference_latency_seconds',
  'llm_token_generation_rate_total',
  'llm_request_token_count',
  'llm_error_rate_total',
  'llm_response_quality_score',
  'llm_summarization_length',
  'llm_intent_parsing_accuracy_total',
  'llm_model_version',
  'llm_model_deployed_at_seconds',
];

describe('instrument catalogue', () => {
  it('defines the nine metrics of the spec, named exactly as their Prometheus names', () => {
    const spec = INSTRUMENT_LIST.filter((i) => i.group === 'spec');
    expect(spec.map((i) => i.prometheusName).sort()).toEqual([...SPEC_NAMES].sort());
    for (const i of spec) expect(i.name).toBe(i.prometheusName);
  });

  it('adds the two streaming histograms', () => {
    expect(INSTRUMENTS.timeToFirstToken).toMatchObject({
      name: 'llm_time_to_first_token_seconds',
      kind: 'histogram',
      unit: 's',
    });
    expect(INSTRUMENTS.timePerOutputToken).toMatchObject({
      name: 'llm_time_per_output_token_seconds',
      kind: 'histogram',
      unit: 's',
    });
  });

  it('uses units that the collector turns into exactly these names', () => {
    for (const i of INSTRUMENT_LIST) {
      // A gauge of unit 1 would get `_ratio`; a counter must end in _total once; seconds stay seconds.
      if (i.kind === 'gauge' || i.kind === 'observableGauge') expect(i.unit, i.name).not.toBe('1');
      if (i.kind === 'counter' && i.name.startsWith('llm_')) expect(i.name, i.name).toMatch(/_total$/);
      if (i.unit === 's' && i.name.startsWith('llm_')) expect(i.name, i.name).toMatch(/_seconds$/);
      if (i.unit !== 's') expect(i.unit, i.name).toMatch(/^\{[a-z_]+\}$/);
    }
  });

  it('gives every histogram explicit, strictly increasing buckets', () => {
    for (const i of INSTRUMENT_LIST.filter((x) => x.kind === 'histogram')) {
      const b = i.buckets ?? [];
      expect(b.length, i.name).toBeGreaterThan(5);
      for (let k = 1; k < b.length; k++) expect(b[k], i.name).toBeGreaterThan(b[k - 1] as number);
    }
  });

  it('puts the 5 s alert threshold on a bucket edge with 0.5 s resolution around it', () => {
    const b = INSTRUMENTS.inferenceLatency.buckets;
    for (const edge of [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6]) expect(b).toContain(edge);
    expect(b.at(-1)).toBeGreaterThanOrEqual(120);
  });

  it('covers 1 to 1M tokens', () => {
    expect(INSTRUMENTS.requestTokens.buckets[0]).toBe(1);
    expect(INSTRUMENTS.requestTokens.buckets.at(-1)).toBeGreaterThanOrEqual(1_000_000);
  });

  it('uses the GenAI semantic-convention attribute keys and metric names', () => {
    expect(core.ATTR_GEN_AI_PROVIDER_NAME).toBe(semconv.ATTR_GEN_AI_PROVIDER_NAME);
    expect(core.ATTR_GEN_AI_OPERATION_NAME).toBe(semconv.ATTR_GEN_AI_OPERATION_NAME);
    expect(core.ATTR_GEN_AI_REQUEST_MODEL).toBe(semconv.ATTR_GEN_AI_REQUEST_MODEL);
    expect(core.ATTR_GEN_AI_RESPONSE_MODEL).toBe(semconv.ATTR_GEN_AI_RESPONSE_MODEL);
    expect(core.ATTR_GEN_AI_TOKEN_TYPE).toBe(semconv.ATTR_GEN_AI_TOKEN_TYPE);
    expect(core.ATTR_ERROR_TYPE).toBe(semconv.ATTR_ERROR_TYPE);
    expect(core.ATTR_SERVER_ADDRESS).toBe(semconv.ATTR_SERVER_ADDRESS);
    expect(core.ATTR_SERVER_PORT).toBe(semconv.ATTR_SERVER_PORT);
    expect(INSTRUMENTS.genAiOperationDuration.name).toBe(semconv.METRIC_GEN_AI_CLIENT_OPERATION_DURATION);
    expect(INSTRUMENTS.genAiTokenUsage.name).toBe(semconv.METRIC_GEN_AI_CLIENT_TOKEN_USAGE);
    expect(INSTRUMENTS.genAiTimeToFirstChunk.name).toBe(semconv.METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
  });

  it('never lets prompt or completion text become an attribute', () => {
    for (const i of INSTRUMENT_LIST) {
      for (const a of i.attributes) expect(a, i.name).not.toMatch(/prompt|completion|message|content|input\.|output\./);
    }
  });
});
