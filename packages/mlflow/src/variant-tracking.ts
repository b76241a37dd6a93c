import { getLlmMetrics, MAX_VARIANTS, type Variant, type VariantCall, type VariantSink } from '@llm-otel/core';
import { diag } from '@opentelemetry/api';
import { type ArtifactStatus, ArtifactWriter } from './artifacts.js';
import { type ArtifactOptions, type ArtifactSettings, resolveArtifactSettings } from './artifacts-config.js';
import { MlflowClient } from './client.js';
import { MlflowConfigError, type MlflowConnectionOptions } from './config.js';
import { MlflowError } from './errors.js';
import { Reachability } from './reachability.js';
import { TAG_SERVICE_NAME } from './tags.js';
import { createRunInfo, endRun, ensureExperiment, logBatch, type MlflowMetric } from './tracking-api.js';
import { VariantAggregate, variantParams } from './variant-aggregate.js';

/** The run tag naming the variant of a run. */
export const TAG_VARIANT = 'llm_otel.variant';

/** Options of {@link startVariantTracking}. Unset fields come from the environment (named on each). */
export interface VariantTrackingOptions extends MlflowConnectionOptions {
  /** A client to use instead of one built from the connection options. */
  client?: MlflowClient;
  /** The experiment of the runs, created if missing. Env: `MLFLOW_EXPERIMENT_NAME`; default `Default` (MLflow's). */
  experimentName?: string;
  /** An existing experiment's id (wins over the name). Env: `MLFLOW_EXPERIMENT_ID`. */
  experimentId?: string;
  /** Put on each run as the `llm_otel.service_name` tag. Env: `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** How often the variants' metrics are sent, in ms. Default 15000. Env: `LLM_OTEL_MLFLOW_FLUSH_INTERVAL_MS`. */
  flushIntervalMs?: number;
  /**
   * Artifacts of the variants' runs (opt-in): sampled calls' messages as JSONL files, only while
   * the app's content capture is on (redacted by its hook, capped), and the prompt templates.
   * `true` for the defaults. Env: `LLM_OTEL_MLFLOW_ARTIFACTS=true` and `LLM_OTEL_MLFLOW_ARTIFACT_*`.
   */
  artifacts?: ArtifactOptions | boolean;
}

/** What the tracking has done so far (for diagnostics and tests). */
export interface VariantTrackingStatus {
  /** Whether the last request reached MLflow; undefined before the first. */
  readonly reachable: boolean | undefined;
  /** The experiment's id, once known. */
  readonly experimentId: string | undefined;
  /** Variants with an aggregate (at most `MAX_VARIANTS` of core). */
  readonly variants: number;
  /** Runs created in MLflow. */
  readonly runs: number;
  /** Points (one per variant and flush) delivered to MLflow. */
  readonly delivered: number;
  /**
   * Points not delivered (MLflow down or refusing): dropped and counted. The aggregates are
   * cumulative, so the next delivered point still carries every call; only that time step is lost.
   */
  readonly dropped: number;
  /** Variants whose latest values are not delivered yet (at most one point each, their latest: the backlog). */
  readonly pending: number;
  /** The last failure's message (MLflow's own text; never credentials). */
  readonly lastError: string | undefined;
  /** The artifact storage's counts; undefined when it is off. */
  readonly artifacts: ArtifactStatus | undefined;
}

/** A running tracking; see {@link startVariantTracking}. */
export interface VariantTracking {
  /** Sends the variants that changed now; settles when done, never rejects. */
  flushNow(): Promise<void>;
  status(): VariantTrackingStatus;
  /** Stops taking calls, sends a last point and ends the runs (`FINISHED`); never rejects. */
  stop(): Promise<void>;
}

const DEFAULT_FLUSH_MS = 15_000;
const DEFAULT_EXPERIMENT = 'Default';

let running: VariantTracking | undefined;

/**
 * Logs per-variant aggregates of the app's LLM calls (see core's `defineVariant()` and
 * `withVariant()`) to MLflow: one run per variant in the experiment (`MLFLOW_EXPERIMENT_NAME`,
 * created if missing), with the variant's template version and hash and declared sampling
 * parameters as params, and its calls, errors, error ratio, latency p50/p95, tokens, cost and
 * quality score as metrics over time (`runs/log-batch`, one step per flush). The request path only
 * updates fixed-size aggregates; sending happens on a timer. MLflow down: points are dropped and
 * counted, logged once per outage, never thrown.
 *
 * @throws MlflowConfigError when no tracking URI is set, an option is invalid, or a tracking runs already.
 */
export function startVariantTracking(
  options: VariantTrackingOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): VariantTracking {
  if (running !== undefined) throw new MlflowConfigError('the variant tracking runs already: stop() it first');
  const client = options.client ?? new MlflowClient(options, env);
  const flushMs =
    options.flushIntervalMs ??
    (env.LLM_OTEL_MLFLOW_FLUSH_INTERVAL_MS ? Number(env.LLM_OTEL_MLFLOW_FLUSH_INTERVAL_MS) : DEFAULT_FLUSH_MS);
  if (!Number.isFinite(flushMs) || flushMs <= 0)
    throw new MlflowConfigError(`flushIntervalMs must be a positive number (got ${String(flushMs)})`);
  const experimentId = nonEmpty(options.experimentId ?? env.MLFLOW_EXPERIMENT_ID);
  const experimentName = nonEmpty(options.experimentName ?? env.MLFLOW_EXPERIMENT_NAME) ?? DEFAULT_EXPERIMENT;
  const tracking = new VariantTrackingLoop(client, {
    experimentId,
    experimentName,
    serviceName: nonEmpty(options.serviceName ?? env.OTEL_SERVICE_NAME),
    flushMs,
    artifacts: resolveArtifactSettings(options.artifacts, env),
  });
  tracking.start();
  running = tracking;
  return tracking;
}

/** The tracking started by {@link startVariantTracking} and not stopped (e.g. by `@llm-otel/node`'s register), if any: for its status. */
export function runningVariantTracking(): VariantTracking | undefined {
  return running;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

interface Settings {
  experimentId: string | undefined;
  experimentName: string;
  serviceName: string | undefined;
  flushMs: number;
  artifacts: ArtifactSettings | undefined;
}

interface Tracked {
  readonly aggregate: VariantAggregate;
  runId: string | undefined;
  /** The run's artifact root (`mlflow-artifacts:/...`), from its creation. */
  artifactUri: string | undefined;
  /** Whether the params reached the run (they go with the first delivered point). */
  paramsLogged: boolean;
  /** The aggregate's version last delivered. */
  sentVersion: number;
  step: number;
}

class VariantTrackingLoop implements VariantTracking, VariantSink {
  /** Keyed by the variant object: core bounds the variants to MAX_VARIANTS. */
  private readonly tracked = new Map<Variant, Tracked>();
  private experimentId: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly reach: Reachability;
  private readonly reported = new Set<string>();
  private counts = { runs: 0, delivered: 0, dropped: 0, overflow: 0 };
  private readonly artifacts: ArtifactWriter | undefined;
  private captureOffReported = false;
  /** Present only with artifacts on: core hands sampled calls' messages to this sink only then. */
  readonly wantsContent?: (variant: Variant) => boolean;

  constructor(
    private readonly client: MlflowClient,
    private readonly settings: Settings,
  ) {
    this.experimentId = settings.experimentId;
    this.reach = new Reachability('variant metrics', client.connection.baseUrl);
    if (settings.artifacts !== undefined) {
      const artifacts = new ArtifactWriter(settings.artifacts);
      this.artifacts = artifacts;
      this.wantsContent = (variant) => artifacts.wantsContent(variant);
    }
  }

  start(): void {
    getLlmMetrics().setVariantSink(this);
    this.timer = setInterval(() => void this.flushNow(), this.settings.flushMs);
    this.timer.unref?.();
  }

  // VariantSink: on the request path, O(1), no I/O.
  call(call: Readonly<VariantCall>): void {
    const tracked = this.entry(call.variant);
    if (tracked === undefined) return;
    tracked.aggregate.addCall(call);
    if (this.artifacts !== undefined) {
      this.artifacts.seen(call.variant);
      this.artifacts.add(call);
    }
  }

  qualityScore(variant: Variant, score: number): void {
    this.entry(variant)?.aggregate.addScore(score);
  }

  private entry(variant: Variant): Tracked | undefined {
    let tracked = this.tracked.get(variant);
    if (tracked === undefined) {
      // Core allows MAX_VARIANTS names; this only guards against more (counted, never thrown).
      if (this.tracked.size >= MAX_VARIANTS) {
        this.counts.overflow++;
        return undefined;
      }
      tracked = {
        aggregate: new VariantAggregate(variant),
        runId: undefined,
        artifactUri: undefined,
        paramsLogged: false,
        sentVersion: 0,
        step: 0,
      };
      this.tracked.set(variant, tracked);
    }
    return tracked;
  }

  status(): VariantTrackingStatus {
    let pending = 0;
    for (const t of this.tracked.values()) if (t.aggregate.version !== t.sentVersion) pending++;
    return {
      reachable: this.reach.reachable,
      experimentId: this.experimentId,
      variants: this.tracked.size,
      runs: this.counts.runs,
      delivered: this.counts.delivered,
      dropped: this.counts.dropped,
      pending,
      lastError: this.reach.lastError,
      artifacts: this.artifacts?.status(),
    };
  }

  flushNow(): Promise<void> {
    if (this.flushing !== undefined) {
      // One more round after the running one, so calls recorded meanwhile are sent.
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.again = false;
          await this.flush();
        } while (this.again);
      } catch (error) {
        // A bug of ours; the app never sees it: counted and logged once by core.
        getLlmMetrics().reportInternalError('mlflowVariantTracking', error);
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (getLlmMetrics().getVariantSink() === this) getLlmMetrics().setVariantSink(undefined);
    if (this.timer !== undefined) clearInterval(this.timer);
    if (running === this) running = undefined;
    await this.flushNow();
    const now = Date.now();
    for (const t of this.tracked.values()) {
      // MLflow down: the runs stay RUNNING rather than the stop waiting a timeout per run.
      if (t.runId === undefined || this.reach.reachable === false) continue;
      try {
        await endRun(this.client, t.runId, now);
      } catch (error) {
        this.failed(error, 'end run');
      }
    }
  }

  /**
   * Sends one point per variant that changed since its last delivered point. A point MLflow does
   * not take is dropped (counted), its step skipped; the variant stays pending, so the next flush
   * sends its newer cumulative values: the backlog is at most one point per variant.
   */
  private async flush(): Promise<void> {
    const now = Date.now();
    let down = false;
    this.reportCaptureOff();
    for (const t of this.tracked.values()) {
      const version = t.aggregate.version;
      if (version !== t.sentVersion) {
        const step = t.step++;
        if (down) {
          // MLflow is down: the other variants' points of this flush are dropped without trying.
          this.counts.dropped++;
          continue;
        }
        try {
          await this.send(t, t.aggregate.metrics(), now, step);
          t.sentVersion = version;
          this.counts.delivered++;
          this.reach.succeeded();
        } catch (error) {
          this.counts.dropped++;
          this.failed(error, `log variant ${t.aggregate.variant.name}`);
          down = this.reach.reachable === false;
        }
      }
      // Artifacts wait while MLflow is down (kept, bounded) and go once their run exists.
      if (!down) down = !(await this.storeArtifacts(t));
    }
  }

  /** Stores the variant's waiting artifacts, if any; false when MLflow turned out to be down. */
  private async storeArtifacts(t: Tracked): Promise<boolean> {
    const variant = t.aggregate.variant;
    if (this.artifacts === undefined || t.runId === undefined || !this.artifacts.hasWork(variant)) return true;
    try {
      if (t.artifactUri === undefined)
        throw new MlflowError(200, 'BAD_RESPONSE', 'POST runs/create', 'the run has no artifact_uri');
      await this.artifacts.flush(this.client, variant, t.artifactUri);
      this.reach.succeeded();
    } catch (error) {
      // Transient: kept for the next flush; refused: dropped and counted by the writer.
      this.failed(error, `store artifacts of variant ${variant.name}`, 'its records are dropped');
    }
    return this.reach.reachable !== false;
  }

  /** Says once why no samples are stored: the app's content capture is off. */
  private reportCaptureOff(): void {
    if (this.artifacts === undefined || this.captureOffReported) return;
    if (getLlmMetrics().getCallEventOptions().captureContent) return;
    this.captureOffReported = true;
    diag.info(
      '@llm-otel/mlflow: artifacts are on but message content capture is off (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT): only prompt templates are stored, no call samples',
    );
  }

  private async send(t: Tracked, metrics: Record<string, number>, now: number, step: number): Promise<void> {
    this.experimentId ??= await ensureExperiment(this.client, this.settings.experimentName);
    const variant = t.aggregate.variant;
    if (t.runId === undefined) {
      const tags = [{ key: TAG_VARIANT, value: variant.name }];
      if (this.settings.serviceName !== undefined)
        tags.push({ key: TAG_SERVICE_NAME, value: this.settings.serviceName });
      const info = await createRunInfo(this.client, this.experimentId, variant.name, t.aggregate.startedAt, tags);
      t.runId = info.run_id;
      t.artifactUri = info.artifact_uri;
      this.counts.runs++;
    }
    const points: MlflowMetric[] = Object.entries(metrics).map(([key, value]) => ({
      key,
      value,
      timestamp: now,
      step,
    }));
    await logBatch(this.client, t.runId, points, t.paramsLogged ? [] : variantParams(variant));
    t.paramsLogged = true;
  }

  private failed(error: unknown, what: string, consequence = 'its point is dropped'): void {
    if (this.reach.failed(error)) return;
    // Keys are per kind of work and variant: bounded by MAX_VARIANTS.
    if (this.reported.has(what)) return;
    this.reported.add(what);
    diag.warn(`@llm-otel/mlflow: ${what} failed; ${consequence}: ${this.reach.lastError}`);
  }
}
