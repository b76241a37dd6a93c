import { ATTR_LLM_EVALUATOR, ATTR_LLM_OTEL_OUTCOME } from './attributes.js';
import { globalSingleton } from './global-state.js';
import { getLlmMetrics } from './llm-metrics.js';
import { warnOnce } from './report-once.js';
import { isValidScore } from './validate.js';

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
}

/** What an evaluator function may return: a score in [0, 1], or undefined to skip the call. */
export type EvaluationResult = number | undefined | { score: number };

/** A scoring function attached to instrumented calls. */
export interface Evaluator {
  /** Name, used as the `llm.evaluator` label and, unless `task` is given, as `llm.task`. */
  name: string;
  /** Share of successful calls evaluated, 0..1. Default 0.1. */
  sampleRate?: number;
  /** `llm.task` of the recorded quality score. Default: the name. */
  task?: string;
  /** An evaluation slower than this counts as `timeout`. Default 30000 ms. */
  timeoutMs?: number;
  evaluate(call: EvaluatedCall): EvaluationResult | Promise<EvaluationResult>;
}

/** Limits of the evaluation queue. */
export interface EvaluationQueueOptions {
  /** Evaluations running at once. Default 2. */
  concurrency: number;
  /** Sampled calls waiting; beyond it new ones are dropped (counted). Default 100. */
  maxQueued: number;
}

type Outcome = 'scored' | 'skipped' | 'failed' | 'timeout' | 'dropped';

interface Job {
  evaluator: Required<Pick<Evaluator, 'name' | 'task' | 'timeoutMs'>> & Evaluator;
  call: EvaluatedCall;
}

/**
 * Runs user evaluators on a sample of finished calls, asynchronously and off the request path:
 * `submit()` only samples and enqueues (nothing runs in the caller's tick), a bounded queue drains
 * with limited concurrency, and each score lands in `llm_response_quality_score`. Every run is
 * counted in `llm_otel_evaluations_total` by outcome; an evaluator that throws never reaches the app.
 */
export class EvaluatorRegistry {
  private readonly evaluators: Job['evaluator'][] = [];
  private readonly queue: Job[] = [];
  private running = 0;
  private options: EvaluationQueueOptions = { concurrency: 2, maxQueued: 100 };
  private idleWaiters: Array<() => void> = [];

  /** Attaches an evaluator; returns a function that detaches it. */
  add(evaluator: Evaluator): () => void {
    if (typeof evaluator?.evaluate !== 'function' || typeof evaluator.name !== 'string' || evaluator.name === '')
      throw new TypeError('an evaluator needs a non-empty name and an evaluate(call) function');
    const rate = evaluator.sampleRate ?? 0.1;
    if (!(rate >= 0 && rate <= 1))
      throw new RangeError(`evaluator ${evaluator.name}: sampleRate ${rate} is not in [0, 1]`);
    const entry = {
      ...evaluator,
      sampleRate: rate,
      task: evaluator.task ?? evaluator.name,
      timeoutMs: evaluator.timeoutMs ?? 30_000,
    };
    this.evaluators.push(entry);
    return () => {
      const i = this.evaluators.indexOf(entry);
      if (i >= 0) this.evaluators.splice(i, 1);
    };
  }

  /** Changes the queue limits. */
  configure(options: Partial<EvaluationQueueOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** Whether any evaluator is attached (instrumentations skip building the call when not). */
  get active(): boolean {
    return this.evaluators.length > 0;
  }

  /** Offers a finished call to every evaluator (sampled). Cheap, synchronous, never throws. */
  submit(call: EvaluatedCall): void {
    for (const evaluator of this.evaluators) {
      if (evaluator.sampleRate !== undefined && Math.random() >= evaluator.sampleRate) continue;
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
    if (this.queue.length > 0) setImmediate(() => this.drain());
  }

  /** Resolves when the queue is empty and nothing runs (for tests and graceful shutdown). */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        if (this.queue.length > 0) this.drain();
        else if (this.running === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    }
  }

  private async run({ evaluator, call }: Job): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), evaluator.timeoutMs);
      timer.unref();
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => evaluator.evaluate(call)), timeout]);
      if (result === 'timeout') return this.count(evaluator.name, 'timeout');
      if (result === undefined) return this.count(evaluator.name, 'skipped');
      const score = typeof result === 'number' ? result : result?.score;
      if (!isValidScore(score)) {
        warnOnce(
          `evaluator:invalid:${evaluator.name}`,
          `evaluator ${evaluator.name} returned ${String(score)}, not a score in [0, 1]`,
        );
        return this.count(evaluator.name, 'failed');
      }
      getLlmMetrics().recordQualityScore(score, { provider: call.provider, model: call.model, task: evaluator.task });
      this.count(evaluator.name, 'scored');
    } catch (error) {
      warnOnce(`evaluator:threw:${evaluator.name}`, `evaluator ${evaluator.name} threw: ${String(error)}`);
      this.count(evaluator.name, 'failed');
    } finally {
      clearTimeout(timer);
    }
  }

  private count(name: string, outcome: Outcome): void {
    const metrics = getLlmMetrics();
    metrics.instruments().evaluations.add(1, {
      [ATTR_LLM_EVALUATOR]: metrics.admit(ATTR_LLM_EVALUATOR, name),
      [ATTR_LLM_OTEL_OUTCOME]: outcome,
    });
  }
}

/** The process-wide evaluator registry. */
export function getEvaluators(): EvaluatorRegistry {
  return globalSingleton('evaluators', () => new EvaluatorRegistry());
}
