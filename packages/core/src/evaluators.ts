import { LlmOtelConfigError } from './config-error.js';
import { globalSingleton } from './global-state.js';
import { getLlmMetrics, type QualityAttributes } from './llm-metrics.js';
import { checkOptions, integerIn } from './option-checks.js';
import type { EvaluationCounter, EvaluationOutcome } from './recording-host.js';
import { warnOnce } from './report-once.js';
import { isValidScore } from './validate.js';
import type { Variant } from './variant.js';

/** A finished LLM call handed to evaluators. Text stays here: it never becomes a metric label. */
export interface EvaluatedCall {
  provider: string;
  operation: string;
  model?: string;
  responseModel?: string;
  durationSeconds: number;
  /** The request the app sent (e.g. the params of `chat.completions.create`). */
  request: unknown;
  /** What the call returned (for streams: the assembled text where the instrumentation has it). */
  response: unknown;
  /** The variant the call ran under (see `withVariant()`): its score is also the variant's. */
  variant?: Variant;
}

/** What an evaluator function may return: a score in [0, 1], or undefined to skip the call. */
export type EvaluationResult = number | undefined | { score: number };

/** What an evaluator receives besides the call. */
export interface EvaluationContext {
  /**
   * Aborted when the evaluation exceeds `timeoutMs`. Pass it on (to `fetch`, to the judge model's
   * client) or check it, and settle soon after: until the evaluation settles it keeps its
   * concurrency slot. One still running `abandonAfterMs` later is abandoned (counted).
   */
  readonly signal: AbortSignal;
}

/** A scoring function attached to instrumented calls. */
export interface Evaluator {
  /** Name, used as the `llm.evaluator` label and, unless `task` is given, as `llm.task`. */
  name: string;
  /** Share of successful calls evaluated, 0..1. Default 0.1. */
  sampleRate?: number;
  /** `llm.task` of the recorded quality score. Default: the name. */
  task?: string;
  /** An evaluation slower than this is aborted (see {@link EvaluationContext}) and counts as `timeout`. Default 30000 ms. */
  timeoutMs?: number;
  evaluate(call: EvaluatedCall, context: EvaluationContext): EvaluationResult | Promise<EvaluationResult>;
}

/** Limits of the evaluation queue. */
export interface EvaluationQueueOptions {
  /** Evaluations running at once, each holding a slot until it settles. Default 2. */
  concurrency: number;
  /** Sampled calls waiting; beyond it new ones are dropped (counted). Default 100. */
  maxQueued: number;
  /**
   * Grace after the abort of a timed-out evaluation: one still running after it is abandoned
   * (counted as `abandoned`) and, while fewer than `maxAbandoned` are, gives its slot back. Default 1000 ms.
   */
  abandonAfterMs: number;
  /**
   * Abandoned evaluations that may still be running (they cannot be stopped): beyond this many, a
   * hung evaluation keeps its slot, so hung evaluators slow the queue down instead of piling up. Default 8.
   */
  maxAbandoned: number;
}

/** The default queue limits. */
export const DEFAULT_EVALUATION_QUEUE_OPTIONS: Readonly<EvaluationQueueOptions> = Object.freeze({
  concurrency: 2,
  maxQueued: 100,
  abandonAfterMs: 1000,
  maxAbandoned: 8,
});

const QUEUE_CHECKS = {
  concurrency: integerIn(1, 1000),
  maxQueued: integerIn(1, 1_000_000),
  abandonAfterMs: integerIn(0, 600_000),
  maxAbandoned: integerIn(0, 10_000),
};

/** The longest accepted `timeoutMs` (what `setTimeout` can wait). */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** What the registry needs from the recording API: the outcome counter and the quality score. */
export interface EvaluationHost extends EvaluationCounter {
  recordQualityScore(score: number, attributes?: QualityAttributes): void;
}

/** Queue state, for diagnostics and tests. */
export interface EvaluationQueueStats {
  /** Sampled calls waiting for a slot. */
  readonly queued: number;
  /** Evaluations holding a slot (timed-out ones included until they settle or are abandoned). */
  readonly running: number;
  /** Abandoned evaluations still running, outside the slots (at most `maxAbandoned`). */
  readonly abandoned: number;
}

type Entry = Required<Pick<Evaluator, 'name' | 'task' | 'timeoutMs' | 'sampleRate'>> & Evaluator;

interface Job {
  evaluator: Entry;
  call: EvaluatedCall;
}

/** The abort reason of a timed-out evaluation. */
export class EvaluationTimeoutError extends Error {
  override name = 'EvaluationTimeoutError';
}

/**
 * Runs user evaluators on a sample of finished calls, asynchronously and off the request path:
 * `submit()` only samples and enqueues (nothing runs in the caller's tick), a bounded queue drains
 * with at most `concurrency` evaluations at once, and each score lands in
 * `llm_response_quality_score`. Every run is counted once in `llm_otel_evaluations_total` by outcome
 * (`scored`, `skipped`, `failed`, `timeout`, `abandoned`, `dropped`); an evaluator that throws never
 * reaches the app. A timed-out evaluation is aborted through its `signal` and keeps its slot until
 * it settles, so the concurrency bound holds; one that ignores the signal is abandoned after
 * `abandonAfterMs`, and at most `maxAbandoned` of those are let go at a time.
 */
export class EvaluatorRegistry {
  private readonly evaluators: Entry[] = [];
  private readonly queue: Job[] = [];
  private running = 0;
  private abandoned = 0;
  private drainScheduled = false;
  private options: EvaluationQueueOptions = DEFAULT_EVALUATION_QUEUE_OPTIONS;
  private idleWaiters: Array<() => void> = [];

  /**
   * @param host where outcomes are counted and scores recorded; default the process-wide
   *   recording API (`getLlmMetrics()`), looked up when first needed.
   */
  constructor(private readonly host?: EvaluationHost) {}

  /**
   * Attaches an evaluator; returns a function that detaches it.
   * @throws LlmOtelConfigError when the evaluator or one of its options is invalid (`undefined` means the default)
   */
  add(evaluator: Evaluator): () => void {
    const entry = EvaluatorRegistry.checked(evaluator);
    this.evaluators.push(entry);
    return () => {
      const i = this.evaluators.indexOf(entry);
      if (i >= 0) this.evaluators.splice(i, 1);
    };
  }

  /**
   * Changes the queue limits (those omitted or `undefined` keep their value).
   * @throws LlmOtelConfigError when a limit is invalid (nothing is changed then), e.g. `concurrency: 0`
   */
  configure(options: Partial<EvaluationQueueOptions>): void {
    checkOptions(options, QUEUE_CHECKS, 'getEvaluators().configure() options');
    const next: EvaluationQueueOptions = { ...this.options };
    for (const key of Object.keys(QUEUE_CHECKS) as (keyof EvaluationQueueOptions)[]) {
      const value = options[key];
      if (value !== undefined) next[key] = value;
    }
    this.options = Object.freeze(next);
    this.scheduleDrain(); // a higher concurrency starts waiting jobs now
  }

  /** Current queue limits. */
  getOptions(): Readonly<EvaluationQueueOptions> {
    return this.options;
  }

  /** Whether any evaluator is attached (instrumentations skip building the call when not). */
  get active(): boolean {
    return this.evaluators.length > 0;
  }

  /** Queued, running and abandoned evaluations. */
  getStats(): EvaluationQueueStats {
    return { queued: this.queue.length, running: this.running, abandoned: this.abandoned };
  }

  /** Offers a finished call to every evaluator (sampled). Cheap, synchronous, never throws. */
  submit(call: EvaluatedCall): void {
    try {
      for (const evaluator of this.evaluators) {
        if (Math.random() >= evaluator.sampleRate) continue;
        if (this.queue.length >= this.options.maxQueued) {
          this.count(evaluator.name, 'dropped');
          warnOnce(
            'evaluator:dropped',
            `evaluation queue is full (${this.options.maxQueued}); sampled calls are dropped`,
          );
          continue;
        }
        this.queue.push({ evaluator, call });
      }
      this.scheduleDrain();
    } catch (error) {
      warnOnce('evaluator:submit', `evaluator submit failed: ${String(error)}`);
    }
  }

  /**
   * Resolves when the queue is empty and no evaluation holds a slot (for tests and graceful
   * shutdown). Abandoned evaluations that gave their slot back are not waited for (they may never
   * settle); those beyond `maxAbandoned` hold a slot and are: bound the wait at shutdown.
   */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.queue.length === 0) return;
    this.drainScheduled = true;
    // Never in the caller's tick: submit() runs on the request path.
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) this.start(this.queue.shift() as Job);
    if (this.queue.length === 0 && this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Runs one job in a slot; the slot is given back when it settles, or when it is abandoned. */
  private start({ evaluator, call }: Job): void {
    this.running++;
    const controller = new AbortController();
    let state: 'running' | 'timed_out' | 'abandoned' | 'settled' = 'running';
    let holdsSlot = true;
    let countedAsAbandoned = false;
    let grace: ReturnType<typeof setTimeout> | undefined;

    const release = () => {
      if (!holdsSlot) return;
      holdsSlot = false;
      this.running--;
      this.drain();
    };
    const abandon = () => {
      if (state !== 'timed_out') return;
      state = 'abandoned';
      this.count(evaluator.name, 'abandoned');
      warnOnce(
        `evaluator:abandoned:${evaluator.name}`,
        `evaluator ${evaluator.name} still ran ${this.options.abandonAfterMs} ms after its timeout was signalled; it is abandoned (honour context.signal)`,
      );
      if (this.abandoned < this.options.maxAbandoned) {
        this.abandoned++;
        countedAsAbandoned = true;
        release();
      } // else it keeps its slot: hung evaluators slow the queue down, they do not pile up
    };
    const timer = setTimeout(() => {
      state = 'timed_out';
      controller.abort(new EvaluationTimeoutError(`evaluator ${evaluator.name} exceeded ${evaluator.timeoutMs} ms`));
      grace = setTimeout(abandon, this.options.abandonAfterMs);
      grace.unref?.();
    }, evaluator.timeoutMs);
    timer.unref?.();

    const settle = (result: EvaluationResult, error: unknown, threw: boolean) => {
      clearTimeout(timer);
      clearTimeout(grace);
      const was = state;
      state = 'settled';
      try {
        if (was === 'running') this.conclude(evaluator, call, result, error, threw);
        else if (was === 'timed_out') this.count(evaluator.name, 'timeout'); // a late result is not used
      } finally {
        if (countedAsAbandoned) this.abandoned--;
        release();
      }
    };
    Promise.resolve()
      .then(() => evaluator.evaluate(call, { signal: controller.signal }))
      .then(
        (result) => settle(result, undefined, false),
        (error: unknown) => settle(undefined, error, true),
      );
  }

  /** Counts (and records) the outcome of an evaluation that settled in time. */
  private conclude(evaluator: Entry, call: EvaluatedCall, result: EvaluationResult, error: unknown, threw: boolean) {
    if (threw) {
      warnOnce(`evaluator:threw:${evaluator.name}`, `evaluator ${evaluator.name} threw: ${String(error)}`);
      return this.count(evaluator.name, 'failed');
    }
    if (result === undefined) return this.count(evaluator.name, 'skipped');
    const score = typeof result === 'number' ? result : (result as { score?: unknown } | null)?.score;
    if (!isValidScore(score)) {
      warnOnce(
        `evaluator:invalid:${evaluator.name}`,
        `evaluator ${evaluator.name} returned ${String(score)}, not a score in [0, 1]`,
      );
      return this.count(evaluator.name, 'failed');
    }
    // The call's variant, not the one active where the queue happens to drain.
    const variant = call.variant ?? null;
    this.metrics().recordQualityScore(score, {
      provider: call.provider,
      model: call.model,
      task: evaluator.task,
      variant,
    });
    this.count(evaluator.name, 'scored');
  }

  private count(name: string, outcome: EvaluationOutcome): void {
    this.metrics().countEvaluation(name, outcome);
  }

  private metrics(): EvaluationHost {
    return this.host ?? getLlmMetrics();
  }

  /** The evaluator with its defaults applied, or a clear error. */
  private static checked(evaluator: Evaluator): Entry {
    if (typeof evaluator !== 'object' || evaluator === null)
      throw new LlmOtelConfigError(
        'an evaluator must be an object with a non-empty name and an evaluate(call) function',
      );
    const { name, sampleRate, task, timeoutMs } = evaluator;
    if (typeof evaluator.evaluate !== 'function' || typeof name !== 'string' || name === '')
      throw new LlmOtelConfigError('an evaluator needs a non-empty name and an evaluate(call) function');
    if (sampleRate !== undefined && !(typeof sampleRate === 'number' && sampleRate >= 0 && sampleRate <= 1))
      throw new LlmOtelConfigError(`evaluator ${name}: sampleRate ${String(sampleRate)} is not in [0, 1]`);
    if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs >= 1 && timeoutMs <= MAX_TIMEOUT_MS))
      throw new LlmOtelConfigError(
        `evaluator ${name}: timeoutMs ${String(timeoutMs)} is not a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
      );
    if (task !== undefined && !(typeof task === 'string' && task !== ''))
      throw new LlmOtelConfigError(`evaluator ${name}: task must be a non-empty string`);
    return { ...evaluator, sampleRate: sampleRate ?? 0.1, task: task ?? name, timeoutMs: timeoutMs ?? 30_000 };
  }
}

/** The process-wide evaluator registry. */
export function getEvaluators(): EvaluatorRegistry {
  return globalSingleton('evaluators', () => new EvaluatorRegistry());
}
