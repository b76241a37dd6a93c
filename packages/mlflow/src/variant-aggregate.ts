import type { Variant, VariantCall } from '@llm-otel/core';

/** Latencies kept per variant for p50/p95: a uniform sample of all the calls (exact up to this many). */
export const RESERVOIR_SIZE = 1024;

/** One point of a variant's metrics, as sent to MLflow. */
export type VariantMetrics = Record<string, number>;

/**
 * What the experiment tracking keeps per variant: fixed-size, whatever the traffic (counts, sums
 * and a bounded reservoir of latencies). Updated on the request path (O(1)); read when flushing.
 */
export class VariantAggregate {
  calls = 0;
  errors = 0;
  private latencySum = 0;
  private readonly reservoir = new Float64Array(RESERVOIR_SIZE);
  private inputTokens = 0;
  private outputTokens = 0;
  private costUsd = 0;
  private costedCalls = 0;
  private scores = 0;
  private scoreSum = 0;
  private samplingMismatches = 0;
  /** Bumped by every update: the flush sends a point only when it moved. */
  version = 0;
  /** ms since the epoch of the first call or score (the run's start time). */
  readonly startedAt = Date.now();

  constructor(
    readonly variant: Variant,
    private readonly random: () => number = Math.random,
  ) {}

  addCall(call: Readonly<VariantCall>): void {
    this.calls++;
    if (call.failed) this.errors++;
    this.latencySum += call.durationSeconds;
    // Algorithm R: every call has the same chance to be in the sample.
    if (this.calls <= RESERVOIR_SIZE) this.reservoir[this.calls - 1] = call.durationSeconds;
    else {
      const slot = Math.floor(this.random() * this.calls);
      if (slot < RESERVOIR_SIZE) this.reservoir[slot] = call.durationSeconds;
    }
    if (call.inputTokens !== undefined) this.inputTokens += call.inputTokens;
    if (call.outputTokens !== undefined) this.outputTokens += call.outputTokens;
    if (call.costUsd !== undefined) {
      this.costUsd += call.costUsd;
      this.costedCalls++;
    }
    const v = this.variant;
    // A request whose sampling differs from what the variant declares says the experiment is not clean.
    if (differs(v.temperature, call.temperature) || differs(v.topP, call.topP) || differs(v.maxTokens, call.maxTokens))
      this.samplingMismatches++;
    this.version++;
  }

  addScore(score: number): void {
    this.scores++;
    this.scoreSum += score;
    this.version++;
  }

  /** The variant's metrics so far (cumulative since the process started using it). */
  metrics(): VariantMetrics {
    const out: VariantMetrics = {
      calls: this.calls,
      errors: this.errors,
      error_ratio: this.calls === 0 ? 0 : this.errors / this.calls,
      input_tokens: this.inputTokens,
      output_tokens: this.outputTokens,
      sampling_mismatch_calls: this.samplingMismatches,
    };
    if (this.calls > 0) {
      const sorted = this.reservoir.slice(0, Math.min(this.calls, RESERVOIR_SIZE)).sort();
      out.latency_mean_seconds = this.latencySum / this.calls;
      out.latency_p50_seconds = quantile(sorted, 0.5);
      out.latency_p95_seconds = quantile(sorted, 0.95);
    }
    if (this.costedCalls > 0) out.cost_usd = this.costUsd;
    if (this.scores > 0) {
      out.quality_score_mean = this.scoreSum / this.scores;
      out.quality_scores = this.scores;
    }
    return out;
  }
}

function differs(declared: number | undefined, requested: number | undefined): boolean {
  return declared !== undefined && requested !== undefined && declared !== requested;
}

/** The q-quantile of sorted values, interpolated linearly between the closest ranks. */
export function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

/** The run's params: the variant's template version and hash and its declared sampling parameters. */
export function variantParams(variant: Variant): Array<{ key: string; value: string }> {
  const params: Array<{ key: string; value: string }> = [{ key: 'variant', value: variant.name }];
  const add = (key: string, value: string | number | undefined) => {
    if (value !== undefined) params.push({ key, value: String(value) });
  };
  add('template_version', variant.templateVersion);
  add('template_hash', variant.templateHash);
  add('temperature', variant.temperature);
  add('top_p', variant.topP);
  add('max_tokens', variant.maxTokens);
  return params;
}
