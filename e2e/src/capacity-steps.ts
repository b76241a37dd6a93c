/**
 * The stepping of the capacity run (capacity.ts): raise the offered load in steps and, for each,
 * read what the collector under test did (its own metrics), the CPU time and memory of its process
 * (/proc) and, for a gateway, what Thanos Receive appended; stop when the collector no longer
 * keeps up.
 */
import { cpuSeconds, residentMiB, sumOfMetric } from './gateway-tier.js';
import type { OtlpLoad } from './otlp-load.js';
import type { Service } from './processes.js';

/** The collector under test and, for a gateway, the store behind it. */
export interface StepSubject {
  collector: Service;
  /** Port of the collector's own /metrics. */
  selfPort: number;
  /** Thanos Receive (process and base URL of its /metrics), behind a gateway. */
  store?: { service: Service; url: string };
}

/** One step's figures (rates per second of wall-clock time over the step's window). */
export interface StepResult {
  offered: number;
  /** Data points the load generator had answered OK per second. */
  sentOk: number;
  /** otelcol_receiver_accepted_metric_points per second. */
  accepted: number;
  /** otelcol_exporter_sent_metric_points per second. */
  exported: number;
  /** Length of the measured window, in seconds. */
  seconds: number;
  /** Data points per request of the load. */
  pointsPerRequest: number;
  /**
   * Growth over the step of accepted-but-not-exported points (accepted minus exported totals): the
   * batch processor and the exporter's queue holding more and more.
   */
  backlogGrowth: number;
  /** Share of one core the collector used (CPU-s per s). */
  cpu: number;
  /** Data points accepted and exported (the lower of the two) per CPU-second of the collector. */
  pointsPerCpuSecond: number;
  rssMiB: number;
  /** Exporter queue size at the end of the step, and its change over the step. */
  queue: number;
  queueGrowth: number;
  /** Refused (receiver), failed (exporter send) and enqueue-failed points during the step. */
  refused: number;
  failed: number;
  /** Requests the generator skipped (maxInFlight outstanding) and that failed, during the step. */
  skipped: number;
  requestsFailed: number;
  /** Requests due during the step (sent or skipped). */
  requests: number;
  /** Thanos Receive: samples appended per second, its CPU share, samples per CPU-second, memory. */
  storeSamples?: number;
  storeCpu?: number;
  storeSamplesPerCpuSecond?: number;
  storeRssMiB?: number;
  saturated: boolean;
  /** Why the step counts as saturated. */
  reason?: string;
}

interface Snapshot {
  at: number;
  accepted: number;
  exported: number;
  refused: number;
  failed: number;
  queue: number;
  cpu: number;
  load: { pointsOk: number; skipped: number; failed: number; due: number };
  storeAppended: number;
  storeCpu: number;
}

async function snapshot(subject: StepSubject, load: OtlpLoad): Promise<Snapshot> {
  const text = await (await fetch(`http://127.0.0.1:${subject.selfPort}/metrics`)).text();
  const metric = (name: string) => sumOfMetric(text, name);
  const pid = subject.collector.process.pid as number;
  let storeAppended = 0;
  let storeCpu = 0;
  if (subject.store) {
    const storeText = await (await fetch(`${subject.store.url}/metrics`)).text();
    storeAppended = sumOfMetric(storeText, 'prometheus_tsdb_head_samples_appended_total');
    storeCpu = cpuSeconds(subject.store.service.process.pid as number);
  }
  return {
    at: Date.now(),
    accepted: metric('otelcol_receiver_accepted_metric_points'),
    exported: metric('otelcol_exporter_sent_metric_points'),
    refused: metric('otelcol_receiver_refused_metric_points'),
    failed:
      metric('otelcol_exporter_send_failed_metric_points') + metric('otelcol_exporter_enqueue_failed_metric_points'),
    queue: metric('otelcol_exporter_queue_size'),
    cpu: cpuSeconds(pid),
    load: {
      pointsOk: load.stats.pointsOk,
      skipped: load.stats.requestsSkipped,
      failed: load.stats.requestsFailed,
      due: load.stats.requestsDue,
    },
    storeAppended,
    storeCpu,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Offers `offered` points/s for `settleMs` (not measured: queues and batches fill) and then
 * `windowMs` (measured).
 */
export async function measureStep(
  subject: StepSubject,
  load: OtlpLoad,
  offered: number,
  settleMs: number,
  windowMs: number,
): Promise<StepResult> {
  load.setRate(offered);
  await sleep(settleMs);
  const a = await snapshot(subject, load);
  await sleep(windowMs);
  const b = await snapshot(subject, load);
  const s = (b.at - a.at) / 1000;
  const cpu = (b.cpu - a.cpu) / s;
  const accepted = (b.accepted - a.accepted) / s;
  const exported = (b.exported - a.exported) / s;
  const result: StepResult = {
    offered,
    sentOk: (b.load.pointsOk - a.load.pointsOk) / s,
    accepted,
    exported,
    seconds: s,
    pointsPerRequest: load.pointsPerRequest,
    backlogGrowth: b.accepted - b.exported - (a.accepted - a.exported),
    cpu,
    // Points taken in AND passed on: accepted points still held in a growing backlog are work not yet done.
    pointsPerCpuSecond: cpu > 0 ? Math.min(accepted, exported) / cpu : 0,
    rssMiB: residentMiB(subject.collector.process.pid as number),
    queue: b.queue,
    queueGrowth: b.queue - a.queue,
    refused: b.refused - a.refused,
    failed: b.failed - a.failed,
    skipped: b.load.skipped - a.load.skipped,
    requests: b.load.due - a.load.due,
    requestsFailed: b.load.failed - a.load.failed,
    saturated: false,
  };
  if (subject.store) {
    const storeCpu = (b.storeCpu - a.storeCpu) / s;
    result.storeSamples = (b.storeAppended - a.storeAppended) / s;
    result.storeCpu = storeCpu;
    result.storeSamplesPerCpuSecond = storeCpu > 0 ? result.storeSamples / storeCpu : 0;
    result.storeRssMiB = residentMiB(subject.store.service.process.pid as number);
  }
  result.reason = saturation(result);
  result.saturated = result.reason !== undefined;
  return result;
}

/** Why a step shows the collector not keeping up, or undefined when it kept up. */
function saturation(r: StepResult): string | undefined {
  if (r.refused > 0) return `${Math.round(r.refused)} points refused`;
  if (r.failed > 0) return `${Math.round(r.failed)} points failed to export`;
  if (r.requestsFailed > 0) return `${r.requestsFailed} requests failed`;
  if (r.accepted < 0.9 * r.offered) return `accepted ${pct(r.accepted / r.offered)} of the offered load`;
  if (r.backlogGrowth > 0.1 * r.accepted * r.seconds + 3 * r.pointsPerRequest)
    return `${Math.round(r.backlogGrowth)} accepted points not yet exported piled up`;
  if (r.queueGrowth > 10) return `exporter queue grew by ${r.queueGrowth}`;
  // A few skipped requests are a busy machine's hiccup; more are a collector answering too slowly.
  if (r.skipped > 0.02 * r.requests) {
    const skipped = `${r.skipped} of ${r.requests} due requests skipped (answers too slow)`;
    // A collector well below its core is not what was slow: the load generator or the machine was.
    return r.cpu < 0.5
      ? `${skipped}, with the collector at ${pct(r.cpu)} of its core: the load generator's limit`
      : skipped;
  }
  return undefined;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Options of {@link stepUntilSaturated}. */
export interface SweepOptions {
  label: string;
  startRate: number;
  factor: number;
  maxSteps: number;
  settleMs: number;
  windowMs: number;
}

/** Steps the load up by `factor` until a step is saturated (or `maxSteps`), printing each step. */
export async function stepUntilSaturated(
  subject: StepSubject,
  load: OtlpLoad,
  options: SweepOptions,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let offered = options.startRate;
  for (let i = 0; i < options.maxSteps; i++) {
    const r = await measureStep(subject, load, Math.round(offered), options.settleMs, options.windowMs);
    results.push(r);
    console.log(`${options.label} step ${i + 1}: ${stepLine(r)}`);
    if (r.saturated) break;
    offered *= options.factor;
  }
  return results;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** One progress line. */
export function stepLine(r: StepResult): string {
  const store =
    r.storeSamples === undefined
      ? ''
      : `  Thanos ${n(r.storeSamples)} samples/s at ${pct(r.storeCpu ?? 0)} CPU (${n(r.storeRssMiB ?? 0)} MiB)`;
  return (
    `offered ${n(r.offered)} points/s  accepted ${n(r.accepted)}  exported ${n(r.exported)}  ` +
    `CPU ${pct(r.cpu)}  ${n(r.pointsPerCpuSecond)} points/CPU-s  RSS ${n(r.rssMiB)} MiB  queue ${r.queue}${store}` +
    (r.saturated ? `  -> saturated: ${r.reason}` : '')
  );
}
