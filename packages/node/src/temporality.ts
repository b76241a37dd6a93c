import {
  AggregationTemporality,
  type AggregationTemporalitySelector,
  InstrumentType,
} from '@opentelemetry/sdk-metrics';
import type { TemporalityPreference } from './config.js';

const DELTA_IN_DELTA: ReadonlySet<InstrumentType> = new Set([
  InstrumentType.COUNTER,
  InstrumentType.OBSERVABLE_COUNTER,
  InstrumentType.GAUGE,
  InstrumentType.HISTOGRAM,
  InstrumentType.OBSERVABLE_GAUGE,
]);
const DELTA_IN_LOWMEMORY: ReadonlySet<InstrumentType> = new Set([InstrumentType.COUNTER, InstrumentType.HISTOGRAM]);

/**
 * The temporality per instrument type of an OTLP temporality preference, as the OpenTelemetry OTLP
 * metric exporters define it. Ours, so that the OTLP exporter module need not be loaded to know it.
 */
export function temporalitySelector(preference: TemporalityPreference): AggregationTemporalitySelector {
  if (preference === 'cumulative') return () => AggregationTemporality.CUMULATIVE;
  const delta = preference === 'delta' ? DELTA_IN_DELTA : DELTA_IN_LOWMEMORY;
  return (type) => (delta.has(type) ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE);
}
