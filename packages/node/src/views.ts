import { INSTRUMENT_LIST, METER_NAME } from '@llm-otel/core';
import { AggregationType, createAllowListAttributesProcessor, type ViewOptions } from '@opentelemetry/sdk-metrics';

/** Options of {@link llmViews}. */
export interface LlmViewsOptions {
  /**
   * Most attribute sets (series) kept per instrument by the SDK; beyond it the SDK folds new sets
   * into one overflow series. A second line of defence behind core's per-attribute limits. Default 2000.
   */
  cardinalityLimit?: number;
  /**
   * Also filter each instrument's attributes through an allow-list of the catalogue's keys. Off by
   * default: `@llm-otel/core` only ever sets those keys, and the filter copies every attribute set on
   * every record (about 1 µs a record). Turn it on if other code records into the llm-otel
   * instruments (`getLlmMetrics().instruments()`) with attributes of its own.
   */
  allowListAttributes?: boolean;
}

/**
 * The views the catalogue needs on an OpenTelemetry SDK `MeterProvider`: explicit bucket boundaries
 * for every histogram, optionally an allow-list of attributes per instrument,
 * and a cardinality limit. Pass them to your own provider when you do not use `register()`:
 *
 * ```ts
 * new MeterProvider({ views: [...llmViews(), ...yourViews], readers: [...] })
 * ```
 */
export function llmViews(options: LlmViewsOptions = {}): ViewOptions[] {
  const limit = options.cardinalityLimit ?? 2000;
  return INSTRUMENT_LIST.map((spec) => ({
    meterName: METER_NAME,
    instrumentName: spec.name,
    aggregationCardinalityLimit: limit,
    ...(options.allowListAttributes
      ? { attributesProcessors: [createAllowListAttributesProcessor([...spec.attributes])] }
      : {}),
    ...(spec.buckets
      ? { aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...spec.buckets] } } }
      : {}),
  }));
}
