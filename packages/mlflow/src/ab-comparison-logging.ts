import { type AbComparator, getAbComparator, getLlmMetrics } from '@llm-otel/core';
import { diag } from '@opentelemetry/api';
import { abRunEntries } from './ab-metrics.js';
import { findVariantRun } from './ab-run-lookup.js';
import { MlflowClient } from './client.js';
import { MlflowConfigError, type MlflowConnectionOptions } from './config.js';
import { Reachability } from './reachability.js';
import { TAG_SERVICE_NAME } from './tags.js';
import { createRun, ensureExperiment, logBatch, type MlflowMetric } from './tracking-api.js';
import { TAG_VARIANT } from './variant-tracking.js';

/** Options of {@link startAbComparisonLogging}. Unset fields come from the environment (named on each). */
export interface AbComparisonLoggingOptions extends MlflowConnectionOptions {
  /** A client to use instead of one built from the connection options. */
  client?: MlflowClient;
  /** The MLflow experiment of the variants' runs, created if missing. Env: `MLFLOW_EXPERIMENT_NAME`; default `Default`. */
  experimentName?: string;
  /** An existing MLflow experiment's id (wins over the name). Env: `MLFLOW_EXPERIMENT_ID`. */
  experimentId?: string;
  /** Runs are looked up (and created) with this `llm_otel.service_name` tag. Env: `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** How often the comparisons are computed and logged, in ms. Default 60000. Env: `LLM_OTEL_MLFLOW_AB_INTERVAL_MS`. */
  intervalMs?: number;
  /** The comparator to read. Default: core's process-wide one (`getAbComparator()`). */
  comparator?: AbComparator;
}

/** What the logging has done so far. */
export interface AbComparisonLoggingStatus {
  readonly reachable: boolean | undefined;
  /** Points (one per variant run and round) delivered to MLflow. */
  readonly delivered: number;
  /** Points not delivered (MLflow down or refusing): dropped and counted; the next round sends newer values. */
  readonly dropped: number;
  /**
   * Points put off because the variant tracking of this process has not created the variant's run
   * yet (so no second run is made for it); sent in a later round.
   */
  readonly waiting: number;
  /** Runs this logging created (for variants no tracking made a run for). */
  readonly runs: number;
  readonly lastError: string | undefined;
}

/** A running logging; see {@link startAbComparisonLogging}. */
export interface AbComparisonLogging {
  /** Computes the comparisons and logs them now; settles when done, never rejects. */
  flushNow(): Promise<void>;
  status(): AbComparisonLoggingStatus;
  /** Stops the timer after a last round; never rejects. */
  stop(): Promise<void>;
}

const DEFAULT_INTERVAL_MS = 60_000;

/** The logging started last and not stopped (one per process: two would log every point twice). */
let running: AbComparisonLogging | undefined;

/** The running A/B comparison logging (started by the app or by `@llm-otel/node` with `MLFLOW_TRACKING_URI`), if any. */
export function runningAbComparisonLogging(): AbComparisonLogging | undefined {
  return running;
}

/**
 * Logs the A/B comparisons of core's experiments (`defineExperiment()`) to MLflow: on a timer, the
 * comparator computes every arm's comparison with its baseline and each variant's run gets the
 * results as metrics (`ab.latency.p_value`, `ab.latency.effect_size`, `ab.error_ratio.p_value`,
 * ... see the README) at a new step, and tags naming the experiment, the baseline and each
 * metric's test. The run of a variant is the one the variant tracking made (tag `llm_otel.variant`,
 * status RUNNING, same service); without a variant tracking in the process, one is created. MLflow
 * down: points are dropped and counted, logged once per outage, never thrown.
 *
 * One per process: `@llm-otel/node` starts it when `MLFLOW_TRACKING_URI` is set (read it with
 * {@link runningAbComparisonLogging}); a second start throws until the first is stopped.
 *
 * @throws MlflowConfigError when no tracking URI is set, an option is invalid, or one runs already.
 */
export function startAbComparisonLogging(
  options: AbComparisonLoggingOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): AbComparisonLogging {
  const client = options.client ?? new MlflowClient(options, env);
  const intervalMs =
    options.intervalMs ??
    (env.LLM_OTEL_MLFLOW_AB_INTERVAL_MS ? Number(env.LLM_OTEL_MLFLOW_AB_INTERVAL_MS) : DEFAULT_INTERVAL_MS);
  if (!Number.isFinite(intervalMs) || intervalMs <= 0)
    throw new MlflowConfigError(`intervalMs must be a positive number (got ${String(intervalMs)})`);
  if (running !== undefined) throw new MlflowConfigError('the A/B comparison logging runs already: stop() it first');
  const logging = new AbLoggingLoop(client, options.comparator ?? getAbComparator(), {
    experimentId: nonEmpty(options.experimentId ?? env.MLFLOW_EXPERIMENT_ID),
    experimentName: nonEmpty(options.experimentName ?? env.MLFLOW_EXPERIMENT_NAME) ?? 'Default',
    serviceName: nonEmpty(options.serviceName ?? env.OTEL_SERVICE_NAME),
  });
  logging.start(intervalMs);
  running = logging;
  return logging;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

interface Settings {
  experimentId: string | undefined;
  experimentName: string;
  serviceName: string | undefined;
}

/** The most variant runs remembered (core bounds variants to MAX_VARIANTS; this only guards). */
const MAX_RUNS = 1000;

class AbLoggingLoop implements AbComparisonLogging {
  private readonly runIds = new Map<string, string>();
  private readonly steps = new Map<string, number>();
  private experimentId: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private counts = { delivered: 0, dropped: 0, waiting: 0, runs: 0 };
  private readonly reach: Reachability;

  constructor(
    private readonly client: MlflowClient,
    private readonly comparator: AbComparator,
    private readonly settings: Settings,
  ) {
    this.experimentId = settings.experimentId;
    this.reach = new Reachability('A/B comparisons', client.connection.baseUrl);
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flushNow(), intervalMs);
    this.timer.unref?.();
  }

  status(): AbComparisonLoggingStatus {
    return { reachable: this.reach.reachable, ...this.counts, lastError: this.reach.lastError };
  }

  flushNow(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing;
    this.flushing = this.flush()
      .catch((error: unknown) => getLlmMetrics().reportInternalError('mlflowAbLogging', error))
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (running === this) running = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flushNow();
  }

  private async flush(): Promise<void> {
    const reports = this.comparator.compare();
    // A variant in several experiments gets experiment-prefixed keys on its run.
    const seen = new Map<string, number>();
    for (const r of reports) for (const arm of r.arms) seen.set(arm.variant, (seen.get(arm.variant) ?? 0) + 1);
    const now = Date.now();
    let down = false;
    for (const report of reports) {
      for (const entry of abRunEntries(report, (variant) => (seen.get(variant) ?? 0) > 1)) {
        if (down) {
          this.counts.dropped++;
          continue;
        }
        try {
          const runId = await this.runOf(entry.variant, now);
          if (runId === undefined) {
            this.counts.waiting++;
            continue;
          }
          const step = this.steps.get(runId) ?? 0;
          this.steps.set(runId, step + 1);
          const points: MlflowMetric[] = entry.metrics.map((m) => ({ ...m, timestamp: now, step }));
          await logBatch(this.client, runId, points, [], entry.tags);
          this.counts.delivered++;
          this.reach.succeeded();
        } catch (error) {
          this.counts.dropped++;
          this.failed(error);
          down = this.reach.reachable === false;
        }
      }
    }
  }

  /** The run of `variant`: remembered, found in MLflow, or created when no variant tracking will make it. */
  private async runOf(variant: string, now: number): Promise<string | undefined> {
    const known = this.runIds.get(variant);
    if (known !== undefined) return known;
    this.experimentId ??= await ensureExperiment(this.client, this.settings.experimentName);
    let runId = await findVariantRun(this.client, this.experimentId, variant, this.settings.serviceName);
    if (runId === undefined) {
      // The variant tracking of this process makes the runs (on its next flush): wait for it.
      if (getLlmMetrics().tracksVariants()) return undefined;
      const tags = [{ key: TAG_VARIANT, value: variant }];
      if (this.settings.serviceName !== undefined)
        tags.push({ key: TAG_SERVICE_NAME, value: this.settings.serviceName });
      runId = await createRun(this.client, this.experimentId, variant, now, tags);
      this.counts.runs++;
    }
    if (this.runIds.size < MAX_RUNS) this.runIds.set(variant, runId);
    return runId;
  }

  private failed(error: unknown): void {
    if (this.reach.failed(error) || this.reach.inOutage) return;
    diag.warn(`@llm-otel/mlflow: logging an A/B comparison failed: ${this.reach.lastError}`);
  }
}
