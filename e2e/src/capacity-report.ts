/**
 * The capacity run's results as markdown (e2e/capacity-results.md): machine, versions, method,
 * the replayed export's shape, every step, and the sizing derived from the measured figures.
 */
import type { StepResult } from './capacity-steps.js';
import type { ExportTemplate } from './otlp-load-template.js';

/** Distinct instance ids the load generator replays (capacity.ts). */
export const INSTANCES_REPLAYED = 300;

/** Everything a report is made of. */
export interface CapacityReport {
  date: string;
  machine: string;
  versions: string[];
  pinning: string;
  template: ExportTemplate;
  /** The gateway remote-writing to a discarding sink: its own capacity. */
  gateway?: { steps: StepResult[]; pointsPerRequest: number };
  /** The gateway remote-writing to Thanos Receive. */
  store?: { steps: StepResult[]; pointsPerRequest: number };
  agent?: { steps: StepResult[]; pointsPerRequest: number };
}

/** Headline figures of a sweep: see {@link headline}. */
export interface Headline {
  /** Points per CPU-second at the most loaded step that kept up (else the first step). */
  pointsPerCpuSecond: number;
  /** Points/s accepted and exported (the lower) at that step, the share of a core used, and memory. */
  sustained: number;
  cpu: number;
  rssMiB: number;
  /** The first step that did not keep up, if any: why, and the memory then (backlog held). */
  saturation?: { offered: number; reason: string; rssMiB: number };
  /** Thanos Receive at the most loaded step that kept up: samples/s, samples per CPU-second, memory. */
  storeSamples?: number;
  storeSamplesPerCpuSecond?: number;
  storeRssMiB?: number;
  /** Samples Thanos appended per OTLP point the gateway exported at that step. */
  samplesPerPoint?: number;
}

/** Summary of a sweep (steps in load order, at least one). */
export function headline(steps: StepResult[]): Headline {
  const kept = steps.filter((s) => !s.saturated);
  const ref = (kept.length > 0 ? kept[kept.length - 1] : steps[0]) as StepResult;
  const saturated = steps.find((s) => s.saturated);
  return {
    pointsPerCpuSecond: ref.pointsPerCpuSecond,
    sustained: Math.min(ref.accepted, ref.exported),
    cpu: ref.cpu,
    rssMiB: ref.rssMiB,
    saturation: saturated && {
      offered: saturated.offered,
      reason: saturated.reason ?? 'saturated',
      rssMiB: saturated.rssMiB,
    },
    storeSamples: ref.storeSamples,
    storeSamplesPerCpuSecond: ref.storeSamplesPerCpuSecond,
    storeRssMiB: ref.storeRssMiB,
    samplesPerPoint: ref.storeSamples !== undefined && ref.exported > 0 ? ref.storeSamples / ref.exported : undefined,
  };
}

/** The wall-clock and memory lines of a sweep's summary. */
function wallClockLines(h: Headline, what: string): string[] {
  return [
    `- Wall clock: ${n(h.sustained)} points/s taken in and passed on at that step, with ${pct(h.cpu)} of a core; ` +
      `${what} resident memory ${n(h.rssMiB)} MiB.`,
    h.saturation
      ? `- At ${n(h.saturation.offered)} points/s offered it no longer kept up (${h.saturation.reason}); memory then ${n(h.saturation.rssMiB)} MiB.`
      : '- It kept up at every step run (not saturated).',
  ];
}

const n = (x: number | undefined) => (x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));
const pct = (x: number | undefined) => (x === undefined ? '-' : `${Math.round(x * 100)}%`);

function stepTable(steps: StepResult[], withStore: boolean): string[] {
  const head =
    '| offered points/s | accepted /s | exported /s | CPU (1 core = 100%) | points per CPU-s | RSS MiB | queue | ' +
    (withStore ? 'Thanos samples/s | Thanos CPU | Thanos samples per CPU-s | Thanos RSS MiB | ' : '') +
    'saturated |';
  const cols = head.split('|').length - 2;
  const lines = [head, `|${' --- |'.repeat(cols)}`];
  for (const s of steps) {
    const store = withStore
      ? `${n(s.storeSamples)} | ${pct(s.storeCpu)} | ${n(s.storeSamplesPerCpuSecond)} | ${n(s.storeRssMiB)} | `
      : '';
    lines.push(
      `| ${n(s.offered)} | ${n(s.accepted)} | ${n(s.exported)} | ${pct(s.cpu)} | ${n(s.pointsPerCpuSecond)} | ` +
        `${n(s.rssMiB)} | ${s.queue} | ${store}${s.saturated ? (s.reason ?? 'yes') : 'no'} |`,
    );
  }
  return lines;
}

/**
 * The sizing rows: per export interval, the points/s of one instance (the template's points over
 * the interval) and how many such instances fit at half a core of an agent and of a gateway.
 */
export function sizingRows(points: number, agentPointsPerCpuSecond: number, gatewayPointsPerCpuSecond: number) {
  return [60, 10].map((interval) => {
    const perInstance = points / interval;
    return {
      interval,
      perInstance,
      instancesPerAgentCore: (agentPointsPerCpuSecond * 0.5) / perInstance,
      instancesPerGatewayCore: (gatewayPointsPerCpuSecond * 0.5) / perInstance,
    };
  });
}

/** The report as markdown. */
export function renderReport(r: CapacityReport): string {
  const t = r.template;
  const out: string[] = [
    '# Capacity of the collector tiers (measured)',
    '',
    `Written by \`pnpm capacity\` (e2e/src/capacity.ts) on ${r.date}.`,
    '',
    `- Machine: ${r.machine}`,
    `- Versions: ${r.versions.join('; ')}`,
    `- Pinning: ${r.pinning}`,
    '',
    '## Method',
    '',
    'The load is a real SDK export replayed: the example service (examples/llm-service, real openai and',
    'Anthropic clients, `--import @llm-otel/node/register`) serves calls to 2 providers x 3 models',
    '(chat and streamed chat each) against the model simulator and exports OTLP/HTTP protobuf to a',
    'capture receiver; its final export is the template. The load generator (e2e/src/otlp-load.ts)',
    'replays those bytes with a new `service.instance.id` (300 instances, round-robin) and new',
    'timestamps written in place, open loop at a set rate of data points per second, with a bound on',
    'outstanding requests. The offered rate rises by steps (x1.5) until the collector no longer keeps',
    'up: accepted < 90% of offered, refused points or failed exports, accepted-but-not-exported points',
    'piling up (batch processor and exporter queue), or more than 2% of the due requests skipped',
    "because the bound of outstanding requests was reached. Per step: the collector's own metrics",
    '(`otelcol_receiver_accepted_metric_points`, `otelcol_exporter_sent_metric_points`,',
    '`otelcol_exporter_queue_size`, refused and failed points), its CPU time and resident memory from',
    '/proc, and for Thanos Receive `prometheus_tsdb_head_samples_appended_total`, CPU time and memory.',
    '',
    '- Gateway: collector/gateway.yaml unchanged, `GOMAXPROCS=1`, OTLP/gRPC in (as agents send it),',
    `  ${n(r.gateway?.pointsPerRequest ?? r.store?.pointsPerRequest)} points per request (one full agent batch: its batch processor sends 8,192).`,
    '  Measured twice: remote-writing to a sink that answers 204 without decoding (e2e/src/otlp-load-sink.ts:',
    "  the gateway's own capacity), and to Thanos Receive v0.42.0 (flags as e2e/src/thanos.ts) on the",
    "  other CPU (the path end to end, and the store's ingest).",
    '- Agent: collector/gateway-agent.yaml unchanged (disk queue with fsync), `GOMAXPROCS=1`, OTLP/HTTP',
    `  protobuf in, one export (${n(r.agent?.pointsPerRequest)} points) per request as apps send them; it forwards`,
    '  OTLP/gRPC to a sink that accepts and discards.',
    '- Headline: data points per CPU-second of the collector process (points both accepted and exported,',
    '  the lower count) at the most loaded step that kept up. It is robust to a busy machine: other work',
    '  on the same core slows the wall clock, not the CPU time per point. The wall-clock maximum is given',
    '  with the share of a core the collector got then.',
    '',
    '## The replayed export (one app instance)',
    '',
    `${n(t.points)} data points, ${n(t.samples)} store samples (histogram: a \`_bucket\` per bucket with \`+Inf\`,`,
    `\`_sum\`, \`_count\`), ${n(t.body.length)} bytes of OTLP protobuf per export.`,
    '',
    '| metric | kind | points | samples |',
    '| --- | --- | --- | --- |',
    ...t.metrics.map((m) => `| \`${m.name}\` | ${m.kind} | ${m.points} | ${m.samples} |`),
    '',
  ];
  const g = r.gateway ? headline(r.gateway.steps) : undefined;
  const st = r.store ? headline(r.store.steps) : undefined;
  const a = r.agent ? headline(r.agent.steps) : undefined;
  if (r.gateway && g) {
    out.push('## Gateway (one core) -> remote-write sink', '', ...stepTable(r.gateway.steps, false), '');
    out.push(
      `- **${n(g.pointsPerCpuSecond)} points per gateway CPU-second** at the most loaded step that kept up.`,
      ...wallClockLines(g, 'gateway'),
      '',
    );
  }
  if (r.store && st) {
    out.push('## Gateway (one core) -> Thanos Receive (other core)', '', ...stepTable(r.store.steps, true), '');
    out.push(
      `- Gateway: ${n(st.pointsPerCpuSecond)} points per CPU-second at the most loaded step that kept up.`,
      ...wallClockLines(st, 'gateway'),
      `- **Thanos Receive: ${n(st.storeSamplesPerCpuSecond)} samples appended per CPU-second**; ${n(st.storeSamples)} samples/s ` +
        `(${st.samplesPerPoint?.toFixed(1) ?? '-'} per OTLP point) at the most loaded step that kept up; memory ${n(st.storeRssMiB)} MiB ` +
        `with ${n(INSTANCES_REPLAYED)} instances of ${n(t.samples)} series each.`,
      '- Thanos Receive runs on CPU 0 with the load generator: compare its share of a core with the',
      "  gateway's to see which of the two limited this path on this run.",
      '',
    );
  }
  if (r.agent && a) {
    out.push('## Agent (one core)', '', ...stepTable(r.agent.steps, false), '');
    out.push(
      `- **${n(a.pointsPerCpuSecond)} points per agent CPU-second** at the most loaded step that kept up.`,
      ...wallClockLines(a, 'agent'),
      '',
    );
  }
  if (g && a) {
    out.push(
      '## Sizing at 50% of a core',
      '',
      `One instance like the template exports ${n(t.points)} points per interval.`,
      '',
      '| export interval | points/s per instance | instances per agent core | instances per gateway core | agents (of 20 instances) per gateway core |',
      '| --- | --- | --- | --- | --- |',
      ...sizingRows(t.points, a.pointsPerCpuSecond, g.pointsPerCpuSecond).map(
        (row) =>
          `| ${row.interval} s | ${row.perInstance.toFixed(1)} | ${n(row.instancesPerAgentCore)} | ` +
          `${n(row.instancesPerGatewayCore)} | ${n(row.instancesPerGatewayCore / 20)} |`,
      ),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
