/**
 * Scale-out, slice 1 (issue 15), all real processes on loopback:
 *
 *   APPS light app processes (e2e/src/scale-app.mjs: register() + recordInference, OTLP/HTTP push every 1 s)
 *     -> 2 collector agents (collector/gateway-agent.yaml; apps split evenly, persistent queue on disk)
 *     -> 2 gateway replicas (collector/gateway.yaml; agent i forwards to gateway i)
 *     -> Thanos Receive (remote write) <- Thanos Query (PromQL over the StoreAPI)
 *
 * Checks: every counter each app recorded equals what Thanos Query returns for its instance, after
 * one gateway was killed (SIGKILL) for OUTAGE_SECONDS under load and restarted; the agent in front of
 * it queued on disk meanwhile, was itself killed and restarted half-way (the queue reloads from
 * disk), drained when the gateway came back, and the store holds the samples of the outage window
 * (not only the final totals, which cumulative sums would restore anyway).
 *
 * Also prints the gateway's throughput per CPU-second and the collectors' memory at this load
 * (the method behind the sizing table in collector/README.md).
 *
 * Needs `pnpm collector:build`, `pnpm stores:build` (Thanos) and the workspace build.
 * SCALE_APPS (default 20) and SCALE_OUTAGE_SECONDS (default 60, the issue's drill) can be lowered
 * for a quick local run; SCALE_MODELS (default 2, at most 20) multiplies the series per app (capacity runs).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuSeconds, residentMiB, selfMetric, sumOfMetric } from '../src/gateway-tier.js';
import { eventually, stopAll } from '../src/processes.js';
import { query } from '../src/prometheus.js';
import {
  type AppTotals,
  appLines,
  type ModelTotals,
  SCALE_JOB,
  type ScaleOut,
  startScaleOut,
} from '../src/scale-topology.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-scale-'));
const APPS = Number(process.env.SCALE_APPS ?? '20');
const OUTAGE_SECONDS = Number(process.env.SCALE_OUTAGE_SECONDS ?? '60');
/**
 * The apps' models (see scale-app.mjs); more models, more data points per export. At most 20: the
 * SDK keeps 20 distinct model names per process (core's maxDistinctModels) and records the others
 * as `_OTHER`, which this test's per-model comparison would report as a mismatch.
 */
const MODELS = Array.from({ length: Number(process.env.SCALE_MODELS ?? '2') }, (_, i) => `scale-model-${i}`);
if (MODELS.length < 1 || MODELS.length > 20) throw new Error('SCALE_MODELS must be between 1 and 20');

let topology: ScaleOut;

/** PromQL `sum by (instance, gen_ai_request_model)` of one metric, as instance/model -> value. */
async function storedByInstanceAndModel(metric: string): Promise<Map<string, number>> {
  const rows = await query(
    topology.thanos.queryUrl,
    `sum by (instance, gen_ai_request_model) (${metric}{job="${SCALE_JOB}"})`,
  );
  return new Map(rows.map((r) => [`${r.metric.instance}/${r.metric.gen_ai_request_model}`, Number(r.value[1])]));
}

beforeAll(async () => {
  topology = await startScaleOut({ repoRoot, workDir, apps: APPS, models: MODELS.length });
}, 180_000);

afterAll(async () => {
  await stopAll();
}, 60_000);

describe('scale-out: apps -> 2 agents -> 2 gateways -> Thanos', () => {
  it('every app instance reaches Thanos through its agent and gateway', async () => {
    const seen = await eventually(`all ${APPS} instances in Thanos`, 90_000, async () => {
      const rows = await query(
        topology.thanos.queryUrl,
        `count by (instance) (llm_inference_latency_seconds_count{job="${SCALE_JOB}"})`,
      );
      return rows.length === APPS ? rows : undefined;
    });
    expect(seen.map((r) => r.metric.instance).sort()).toEqual(topology.apps.map((a) => a.instance).sort());
  }, 120_000);

  it(`one gateway killed for ${OUTAGE_SECONDS} s under load: its agent queues on disk, survives its own restart, and drains`, async () => {
    const victim = 0 as const;
    const { gateways, agents, agentPorts, apps } = topology;
    const agentSelf = agentPorts[victim].self;
    const queued = () => selfMetric(agentSelf, 'otelcol_exporter_queue_size');
    const sleepUntil = (unixSeconds: number) =>
      new Promise((r) => setTimeout(r, Math.max(0, unixSeconds * 1000 - Date.now())));
    gateways[victim].process.kill('SIGKILL');
    await new Promise<void>((resolve) => gateways[victim].process.once('exit', () => resolve()));
    const outageStart = Date.now() / 1000;
    // The agent cannot forward: its queue fills (deterministic check, not a sleep).
    await eventually('the agent queueing while its gateway is down', 30_000, async () =>
      (await queued()) > 0 ? true : undefined,
    );
    // Half-way through the outage the agent itself crashes and restarts: what it had queued must
    // still be there (an in-memory queue would lose the first half of the outage here).
    await sleepUntil(outageStart + OUTAGE_SECONDS / 2);
    agents[victim].process.kill('SIGKILL');
    await new Promise<void>((resolve) => agents[victim].process.once('exit', () => resolve()));
    const agentCrash = Date.now() / 1000;
    await topology.restartAgent(victim);
    const reloaded = await queued();
    expect(reloaded, 'batches reloaded from disk by the restarted agent').toBeGreaterThan(0);
    // The rest of the drill: the gateway stays down while the apps keep recording.
    await sleepUntil(outageStart + OUTAGE_SECONDS);
    const queuedAtReturn = await queued();
    await topology.restartGateway(victim);
    await eventually('the agent queue drained', 120_000, async () => ((await queued()) === 0 ? true : undefined));
    expect(queuedAtReturn).toBeGreaterThan(0);
    expect(await selfMetric(agentSelf, 'otelcol_exporter_sent_metric_points')).toBeGreaterThan(0);
    // Nothing was refused by a full queue or dropped after retries, on either agent.
    for (const a of agentPorts) {
      expect(await selfMetric(a.self, 'otelcol_exporter_enqueue_failed_metric_points')).toBe(0);
      expect(await selfMetric(a.self, 'otelcol_exporter_send_failed_metric_points')).toBe(0);
    }
    // The outage before the agent crash is filled in: an app behind the killed gateway exports
    // every second, so Thanos holds about one sample per second of it (at least half, on a busy
    // CI box). Only the disk queue can have delivered them.
    const behindVictim = apps.find((a) => a.agent === victim)?.instance;
    const window = Math.floor(agentCrash - outageStart);
    const samples = await eventually('the outage samples in Thanos', 60_000, async () => {
      const rows = await query(
        topology.thanos.queryUrl,
        `count_over_time(llm_token_generation_rate_total{job="${SCALE_JOB}",instance="${behindVictim}",gen_ai_request_model="scale-model-0"}[${window}s] @ ${agentCrash.toFixed(3)})`,
      );
      const n = Math.max(0, ...rows.map((r) => Number(r.value[1])));
      return n >= window / 2 ? n : undefined;
    }).catch(() => 0);
    expect(samples, `samples of ${behindVictim} in the ${window} s before the agent crash`).toBeGreaterThanOrEqual(
      window / 2,
    );
  }, 300_000);

  it('after the apps stop, every counter each app sent equals what Thanos holds', async () => {
    const { thanos, gateways, agents, gatewayPorts, agentPorts, apps } = topology;
    const gatewayCpu = cpuSeconds(gateways[1].process.pid ?? 0);
    const gatewayPoints = await selfMetric(gatewayPorts[1].self, 'otelcol_receiver_accepted_metric_points');
    const gatewaySeconds = (Date.now() - topology.gatewaysStartedAt) / 1000;
    const receiveCpu = cpuSeconds(thanos.receive.process.pid ?? 0);
    // agent-1 was never restarted, so its CPU and accepted points cover the whole run like gateway-1's.
    const agentCpu = cpuSeconds(agents[1].process.pid ?? 0);
    const agentPoints = await selfMetric(agentPorts[1].self, 'otelcol_receiver_accepted_metric_points');
    const appended = sumOfMetric(
      await (await fetch(`${thanos.receiveUrl}/metrics`)).text(),
      'prometheus_tsdb_head_samples_appended_total',
    );
    const memory = [...agents, ...gateways]
      .filter((s) => s.process.exitCode === null && s.process.signalCode === null)
      .map((s) => `${s.name} ${residentMiB(s.process.pid ?? 0).toFixed(0)} MiB`);
    await Promise.all(apps.map((a) => a.service.stop()));
    const sent = new Map<string, AppTotals>();
    for (const app of apps) {
      const totals = await eventually(
        `${app.instance} totals`,
        10_000,
        async () => appLines(app.service).find((l) => l.totals)?.totals,
      );
      sent.set(app.instance, totals);
    }
    const expected = (field: keyof ModelTotals) =>
      new Map(
        [...sent].flatMap(([instance, totals]) =>
          MODELS.map((m) => [`${instance}/${m}`, totals[m]?.[field] ?? 0] as const),
        ),
      );
    const checks: Array<[string, keyof ModelTotals]> = [
      ['llm_inference_latency_seconds_count', 'calls'],
      ['llm_error_rate_total', 'errors'],
      ['llm_token_generation_rate_total', 'outputTokens'],
    ];
    for (const [metric, field] of checks) {
      const want = expected(field);
      // The last exports travel app -> agent -> gateway (5 s batches) -> Thanos: wait until equal.
      const got = await eventually(`${metric} in Thanos equal to what the apps sent`, 60_000, async () => {
        const stored = await storedByInstanceAndModel(metric);
        return [...want].every(([k, v]) => stored.get(k) === v) ? stored : undefined;
      }).catch(async () => storedByInstanceAndModel(metric));
      expect(Object.fromEntries(got), metric).toEqual(Object.fromEntries(want));
    }
    // Guard against a vacuous match (apps that recorded nothing and a store that holds nothing).
    const sentCalls = [...sent.values()].reduce(
      (n, t) => n + MODELS.reduce((m, model) => m + (t[model]?.calls ?? 0), 0),
      0,
    );
    expect(sentCalls).toBeGreaterThan(APPS * 10);
    // The measurement behind collector/README.md's sizing table (printed, not asserted: no timed assertions).
    console.log(
      `[scale-out] gateway-1 accepted ${gatewayPoints} data points in ${gatewaySeconds.toFixed(0)} s` +
        ` (${(gatewayPoints / gatewaySeconds).toFixed(0)}/s) using ${gatewayCpu.toFixed(2)} CPU-s` +
        ` (${(gatewayPoints / Math.max(gatewayCpu, 0.01)).toFixed(0)} points per CPU-second);` +
        ` agent-1 accepted ${agentPoints} using ${agentCpu.toFixed(2)} CPU-s` +
        ` (${(agentPoints / Math.max(agentCpu, 0.01)).toFixed(0)} per CPU-second);` +
        ` Thanos Receive appended ${appended} samples using ${receiveCpu.toFixed(2)} CPU-s` +
        ` (${(appended / Math.max(receiveCpu, 0.01)).toFixed(0)} samples per CPU-second);` +
        ` resident memory: ${memory.join(', ')}, thanos-receive ${residentMiB(thanos.receive.process.pid ?? 0).toFixed(0)} MiB`,
    );
  }, 180_000);
});
