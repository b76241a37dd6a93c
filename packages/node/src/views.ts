import { INSTRUMENT_LIST, METER_NAME } from '@llm-otel/core';
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';

/** Options of {@link llmViews}. */
export interface LlmViewsOptions {
  /**
   * Most attribute sets (series) kept per instrument by the SDK; beyond it the SDK folds new sets
   * into one overflow series. A second line of defence behind core's per-attribute limits. Default 2000.
   */
  cardinalityLimit?: number;
}

/**
 * The views the catalogue needs on an OpenTelemetry SDK `MeterProvider`: explicit bucket boundaries
 * for every histogram, an allow-list of attributes per instrument (nothing else becomes a label),
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
    ...(spec.buckets
      ? { aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...spec.buckets] } } }
      : {}),
  }));
}
