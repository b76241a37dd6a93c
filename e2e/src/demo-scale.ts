/**
 * `pnpm demo:scale`: a small version of the scale-out test for a person to watch. App processes
 * (register() + recordInference, OTLP) -> 2 collector agents (disk queues) -> 2 gateways -> Thanos
 * Receive, queried through Thanos Query (its UI and Prometheus API), with Thanos Rule evaluating
 * prometheus/rules/*.yml (every 3rd call of the apps fails, so HighLLMErrorRate goes pending and
 * then fires after its `for:` of 2 minutes). Prints the URLs and the
 * gateways' process ids: `kill -9` one and watch its agent's queue grow, then drain when the demo
 * starts the gateway again. Ctrl-C stops the apps, then compares what they recorded with what
 * Thanos holds, and stops everything.
 *
 * DEMO_SCALE_APPS (6), DEMO_SCALE_RESTART_SECONDS (20: how long a killed gateway stays down),
 * DEMO_SCALE_SECONDS (0 = until Ctrl-C).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfMetric } from './gateway-tier.js';
import { eventually, stopAll } from './processes.js';
import { query } from './prometheus.js';
import { appLines, SCALE_JOB, type ScaleOut, startScaleOut } from './scale-topology.js';
import { activeAlerts } from './thanos-rules.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const APPS = Number(process.env.DEMO_SCALE_APPS ?? '6');
const RESTART_SECONDS = Number(process.env.DEMO_SCALE_RESTART_SECONDS ?? '20');
const CALLS = `sum(llm_inference_latency_seconds_count{job="${SCALE_JOB}"})`;

/** Calls Thanos holds for the demo apps (0 before the first sample arrives). */
async function storedCalls(topology: ScaleOut): Promise<number> {
  const rows = await query(topology.thanos.queryUrl, CALLS);
  return rows.length === 0 ? 0 : Number(rows[0]?.value[1]);
}

/** Starts a killed gateway again RESTART_SECONDS after it died (one check per status tick). */
function restartDeadGateways(topology: ScaleOut, diedAt: Map<0 | 1, number>): void {
  for (const i of [0, 1] as const) {
    const gateway = topology.gateways[i];
    if (gateway.process.exitCode === null && gateway.process.signalCode === null) continue;
    const since = diedAt.get(i) ?? Date.now();
    diedAt.set(i, since);
    if (Date.now() - since < RESTART_SECONDS * 1000) continue;
    diedAt.delete(i);
    void topology.restartGateway(i).then(
      (g) => console.log(`\ngateway-${i} started again (pid ${g.process.pid})`),
      (error: unknown) => console.log(`\ngateway-${i} did not start again: ${String(error)}`),
    );
  }
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-scale-demo-'));
  console.log('building (or reusing) the collector and Thanos ...');
  execFileSync('bash', [join(repoRoot, 'collector', 'build.sh')], { stdio: 'inherit' });
  execFileSync('bash', [join(repoRoot, 'stores', 'build.sh'), 'thanos'], { stdio: 'inherit' });
  console.log(`starting Thanos, 2 gateways, 2 agents and ${APPS} apps ...`);
  const topology = await startScaleOut({
    repoRoot,
    workDir,
    apps: APPS,
    models: 2,
    exportIntervalMs: 2000,
    // Recorded values read the data as of 30 s ago, when every sample of that time has arrived.
    rules: { evalInterval: '15s', queryOffset: '30s' },
  });
  const { thanos, gateways, gatewayPorts, agentPorts } = topology;
  const ruleUrl = thanos.ruleUrl as string;
  console.log(`
  Thanos Query (UI and /api/v1/query)  ${thanos.queryUrl}
    try: ${CALLS}
         sum by (instance) (rate(llm_inference_latency_seconds_count{job="${SCALE_JOB}"}[1m]))
  Thanos Rule (prometheus/rules/*.yml; alerts)  ${ruleUrl}/alerts   API ${ruleUrl}/api/v1/alerts
  gateway-0  pid ${gateways[0].process.pid}  own metrics http://127.0.0.1:${gatewayPorts[0].self}/metrics
  gateway-1  pid ${gateways[1].process.pid}  own metrics http://127.0.0.1:${gatewayPorts[1].self}/metrics
  agent-0 / agent-1 own metrics  http://127.0.0.1:${agentPorts[0].self}/metrics  http://127.0.0.1:${agentPorts[1].self}/metrics
  process logs and the agents' disk queues  ${workDir}

  Drill: kill -9 <a gateway pid>. Its agent queues on disk (queue below); the demo starts the
  gateway again after ${RESTART_SECONDS} s and the queue drains. Ctrl-C: stop and compare totals.
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the apps (each flushes and prints what it recorded) ...');
    await Promise.all(topology.apps.map((a) => a.service.stop()));
    let recorded = 0;
    for (const app of topology.apps) {
      const totals = appLines(app.service).find((l) => l.totals)?.totals ?? {};
      for (const t of Object.values(totals)) recorded += t.calls;
    }
    const stored = await eventually('Thanos to hold every call', 30_000, async () => {
      const n = await storedCalls(topology);
      return n === recorded ? n : undefined;
    }).catch(() => storedCalls(topology));
    console.log(`apps recorded ${recorded} calls; Thanos holds ${stored}${stored === recorded ? ' (equal)' : ''}`);
    await stopAll();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const seconds = Number(process.env.DEMO_SCALE_SECONDS ?? 0);
  if (seconds > 0) setTimeout(stop, seconds * 1000).unref();

  const diedAt = new Map<0 | 1, number>();
  const startedAt = Date.now();
  for (let tick = 0; !stopping; tick++) {
    restartDeadGateways(topology, diedAt);
    const [calls, alerts, queue0, queue1] = await Promise.all([
      storedCalls(topology).catch(() => Number.NaN),
      activeAlerts(ruleUrl).catch(() => []),
      selfMetric(agentPorts[0].self, 'otelcol_exporter_queue_size').catch(() => Number.NaN),
      selfMetric(agentPorts[1].self, 'otelcol_exporter_queue_size').catch(() => Number.NaN),
    ]);
    const down = [0, 1].filter((i) => diedAt.has(i as 0 | 1)).map((i) => `gateway-${i} down`);
    const alertText = alerts.map((a) => `${a.labels.alertname} ${a.state}`);
    const status =
      `${Math.round((Date.now() - startedAt) / 1000)} s  calls in Thanos ${calls}  agent queues ${queue0} / ${queue1} batches` +
      `  alerts: ${[...new Set(alertText)].join(', ') || 'none'}  ${down.join(' ')}`;
    if (process.stdout.isTTY) {
      // One line rewritten in place: never wider than the terminal, or it wraps and scrolls.
      const width = Math.max(40, (process.stdout.columns ?? 120) - 1);
      process.stdout.write(`\r${status.slice(0, width).padEnd(width)}`);
    } else if (tick % 5 === 0) console.log(status);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
