import type { Attributes, ObservableResult } from '@opentelemetry/api';
import type { EVALUATION_OUTCOMES } from './catalogue.js';
import type { ObservableGaugeKey } from './instrument-set.js';

/*
 * The narrow views of the recording API that the other parts of core depend on, so that each says
 * what it needs instead of reaching into `getLlmMetrics()` for anything (a service locator).
 * `LlmMetrics` implements all of them; tests can pass small fakes.
 */

/** Called at every collection of an observable gauge of the catalogue. */
export type GaugeCallback = (result: ObservableResult<Attributes>) => void;

/** Exports observable gauges of the catalogue: what the model registry and the health probe need. */
export interface GaugeHost {
  /** Adds `observer` to the gauge `key`; its exceptions are caught and counted. */
  addGaugeObserver(key: ObservableGaugeKey, observer: GaugeCallback): void;
  /**
   * Binds the instruments (and so the gauges) to the current global MeterProvider now, rather than
   * at the next recording: for parts that only export gauges.
   */
  bind(): void;
}

/** Counts and logs once an exception caught inside llm-otel (never thrown into the application). */
export interface InternalErrorReporter {
  reportInternalError(component: string, error: unknown): void;
}

/** Outcomes of an evaluator run, the values of `llm_otel.outcome` (listed in the catalogue). */
export type EvaluationOutcome = (typeof EVALUATION_OUTCOMES)[number];

/** Counts evaluator runs (`llm_otel_evaluations_total`): what the evaluator queue needs. */
export interface EvaluationCounter {
  /** Counts one run of `evaluator` (a name bounded like any attribute value) with `outcome`. */
  countEvaluation(evaluator: string, outcome: EvaluationOutcome): void;
}
