/**
 * Scale-out (issue 15), all real processes on loopback:
 *
 *   APPS light app processes (e2e/src/scale-app.mjs: register() + recordInference, OTLP/HTTP push every 1 s)
 *     -> 2 collector agents (collector/gateway-agent.yaml; apps split evenly, persistent queue on disk)
 *     -> 2 gateway replicas (collector/gateway.yaml; agent i forwards to gateway i)
 *     -> Thanos Receive (remote write) <- Thanos Query (PromQL over the StoreAPI)
 *                                         <-> Thanos Rule (prometheus/rules/*.yml, unchanged)
 *
 * Rules and dashboard: Thanos Rule evaluates every rule file against Thanos Query; its recorded
 * series, read back through Query, equal the raw data at each recorded sample's timestamp, and
 * carry no instance label; HighLLMErrorRate goes pending, then fires (every 3rd call of the apps
 * fails); every PromQL query of the Grafana dashboard parses on Thanos Query and the panels of
 * calls, errors and recording rules return data.
 *
 * Checks: every counter each app recorded equals what Thanos Query returns for its instance, after
 * one gateway was killed (SIGKILL) for OUTAGE_SECONDS under load and restarted; the agent in front of
 * it queued on disk meanwhile, was itself killed and restarted half-way (the queue reloads from
 * disk), drained when the gateway came back, and the store holds the samples of the outage window
 * (not only the final totals, which cumulative sums would restore anyway).
 *
 * Ingester drill: Thanos Receive is killed (SIGKILL) for OUTAGE_SECONDS under load and restarted on
 * its ports and TSDB directory: the gateways' remote write retries (collector/gateway.yaml
 * retry_on_failure and remote_write_queue), the samples of the outage window arrive, and what
 * Receive had acknowledged before the kill is still there (its WAL).
 *
 * Instance churn: CHURN apps are replaced by new processes with new service.instance.id values;
 * the recorded per-model rate after the churn equals the sum of the rates of the old and the new
 * instances; the old instances' series stay selectable for the 5 min lookback after their last
 * sample and are gone after it; at the end the old instances' totals are in the store as well.
 *
 * Also prints the gateway's throughput per CPU-second and the collectors' memory at this load
 * (the method behind the sizing table in collector/README.md).
 *
 * Needs `pnpm collector:build`, `pnpm stores:build` (Thanos) and the workspace build.
 * SCALE_APPS (default 20) and SCALE_OUTAGE_SECONDS (default 60, the issue's drills; both drills use it)
 * can be lowered for a quick local run; SCALE_CHURN (default 4) apps are replaced; SCALE_MODELS (default 2, at most 20) multiplies the series per app (capacity runs).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardQueries, type Feature } from '@llm-otel/grafana';
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
import { activeAlerts, byLabels, queryAt, ruleHealth } from '../src/thanos-rules.js';

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
const CHURN = Number(process.env.SCALE_CHURN ?? '4');
/** Labels of the job_provider_model:* series: `instance` aggregated away. */
const PER_MODEL = ['job', 'gen_ai_provider_name', 'gen_ai_request_model'];
/** Every rule's results read the data as of this long ago (thanos.ts, ThanosRuleOptions.queryOffset). */
const RULE_OFFSET_SECONDS = 30;

let topology: ScaleOut;
/** When HighLLMErrorRate went pending per model (rules test); the ingester drill must not reset it. */
const errorAlertActiveAt = new Map<string, string>();

/**
 * The latest value of one metric per instance and model, as instance/model -> value. Latest within
 * 15 minutes, not the instant query's 5 min lookback: instances replaced in the churn test stopped
 * minutes before the end.
 */
async function storedByInstanceAndModel(metric: string): Promise<Map<string, number>> {
  const rows = await query(
    topology.thanos.queryUrl,
    `sum by (instance, gen_ai_request_model) (last_over_time(${metric}{job="${SCALE_JOB}"}[15m]))`,
  );
  return byLabels(rows, ['instance', 'gen_ai_request_model']);
}

const sleepUntil = (unixSeconds: number) =>
  new Promise((r) => setTimeout(r, Math.max(0, unixSeconds * 1000 - Date.now())));

/** Relative difference of two values (0 when both are 0). */
const relativeDifference = (a: number, b: number) =>
  a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

/** The timestamp of the newest sample of a recorded series for the scale apps (all models recorded). */
async function newestRecorded(record: string, after = 0): Promise<number> {
  return eventually(`${record} recorded after ${after}`, 120_000, async () => {
    const rows = await query(topology.thanos.queryUrl, `timestamp(${record}{job="${SCALE_JOB}"})`);
    const times = rows.map((r) => Number(r.value[1]));
    return rows.length === MODELS.length && Math.min(...times) > after ? Math.min(...times) : undefined;
  });
}

beforeAll(async () => {
  topology = await startScaleOut({
    repoRoot,
    workDir,
    apps: APPS,
    models: MODELS.length,
    rules: { evalInterval: '5s', queryOffset: `${RULE_OFFSET_SECONDS}s` },
  });
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

  it('Thanos Rule evaluates prometheus/rules against Thanos Query: recorded series equal the raw data, without instance', async () => {
    const { thanos } = topology;
    const ruleUrl = thanos.ruleUrl as string;
    // One evaluation of the recording group: all its series share the timestamp (its time minus
    // the query offset). The ratio reads two recorded series of the same evaluation.
    const at = await newestRecorded('job_provider_model:llm_output_tokens:rate5m');
    await newestRecorded('job_provider_model:llm_errors_per_request:ratio_rate5m', at - 1);
    const failing = (await ruleHealth(ruleUrl)).filter((r) => r.health === 'err');
    expect(failing, 'rules with evaluation errors').toEqual([]);
    const job = `job="${SCALE_JOB}"`;
    // Recorded value at its own timestamp vs the same expression over the raw series at that time.
    const pairs: Array<[string, string, string[]]> = [
      [
        `job_provider_model:llm_requests:rate5m{${job}} @AT`,
        `sum by (job, gen_ai_provider_name, gen_ai_request_model) (rate(llm_inference_latency_seconds_count{${job}}[5m] @AT))`,
        PER_MODEL,
      ],
      [
        `job_provider_model:llm_errors:rate5m{${job}} @AT`,
        `sum by (job, gen_ai_provider_name, gen_ai_request_model) (rate(llm_error_rate_total{${job}}[5m] @AT))`,
        PER_MODEL,
      ],
      [
        `job_provider_model:llm_inference_latency_seconds:p95_5m{${job}} @AT`,
        `histogram_quantile(0.95, sum by (job, gen_ai_provider_name, gen_ai_request_model, le) (rate(llm_inference_latency_seconds_bucket{${job}}[5m] @AT)))`,
        PER_MODEL,
      ],
      [
        `job_provider_model:llm_output_tokens:rate5m{${job}} @AT`,
        `sum by (job, gen_ai_provider_name, gen_ai_request_model) (rate(llm_token_generation_rate_total{${job}}[5m] @AT))`,
        PER_MODEL,
      ],
      [
        `job:llm_requests:rate5m{${job}} @AT`,
        `sum by (job) (rate(llm_inference_latency_seconds_count{${job}}[5m] @AT))`,
        ['job'],
      ],
    ];
    let worst = 0;
    for (const [recorded, raw, labels] of pairs) {
      const rec = await queryAt(thanos.queryUrl, recorded, at);
      const want = byLabels(await queryAt(thanos.queryUrl, raw, at), labels);
      expect(rec.length, recorded).toBe(want.size);
      for (const row of rec) {
        // Only the aggregation's labels (and the name): no instance, no replica or tenant label.
        expect(Object.keys(row.metric).sort(), recorded).toEqual(['__name__', ...labels].sort());
        const key = labels.map((l) => row.metric[l]).join('/');
        const diff = relativeDifference(Number(row.value[1]), want.get(key) ?? Number.NaN);
        worst = Math.max(worst, diff);
        expect(diff, `${recorded} vs ${raw} for ${key}`).toBeLessThan(0.01);
      }
    }
    // Every 3rd call fails: the recorded error ratio is one third for each model.
    const ratios = await queryAt(
      thanos.queryUrl,
      `job_provider_model:llm_errors_per_request:ratio_rate5m{${job}} @AT`,
      at,
    );
    expect(ratios).toHaveLength(MODELS.length);
    for (const r of ratios) expect(Number(r.value[1])).toBeCloseTo(1 / 3, 1);
    // Alerts evaluate too: a third of the calls failing is over HighLLMErrorRate's 10%.
    const pending = await eventually('HighLLMErrorRate pending or firing in Thanos Rule', 60_000, async () => {
      const alerts = (await activeAlerts(ruleUrl)).filter(
        (a) => a.labels.alertname === 'HighLLMErrorRate' && a.labels.job === SCALE_JOB,
      );
      return alerts.length === MODELS.length ? alerts : undefined;
    });
    for (const a of pending) errorAlertActiveAt.set(a.labels.gen_ai_request_model ?? '', a.activeAt);
    console.log(
      `[scale-out] recorded vs raw at ${at}: largest relative difference ${worst.toExponential(2)};` +
        ` HighLLMErrorRate ${pending.map((a) => `${a.labels.gen_ai_request_model} ${a.state} since ${a.activeAt}`).join(', ')}`,
    );
  }, 180_000);

  it(`one gateway killed for ${OUTAGE_SECONDS} s under load: its agent queues on disk, survives its own restart, and drains`, async () => {
    const victim = 0 as const;
    const { gateways, agents, agentPorts, apps } = topology;
    const agentSelf = agentPorts[victim].self;
    const queued = () => selfMetric(agentSelf, 'otelcol_exporter_queue_size');
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

  it(`Thanos Receive killed for ${OUTAGE_SECONDS} s under load: the gateways retry, its WAL survives, the outage's samples arrive`, async () => {
    const { gatewayPorts, apps } = topology;
    const gatewayMetric = async (name: string) =>
      (await Promise.all(gatewayPorts.map((p) => selfMetric(p.self, name)))).reduce((a, b) => a + b, 0);
    // One series of an app behind gateway-1, which the first drill left alone.
    const probe = apps.find((a) => a.agent === 1)?.instance;
    const series = `llm_token_generation_rate_total{job="${SCALE_JOB}",instance="${probe}",gen_ai_request_model="scale-model-0"}`;
    const samplesIn = async (seconds: number, end: number) => {
      const rows = await queryAt(topology.thanos.queryUrl, `count_over_time(${series}[${seconds}s] @AT)`, end);
      return Math.max(0, ...rows.map((r) => Number(r.value[1])));
    };
    // What Receive holds of the last 30 s before the kill (acknowledged to the gateways, so in its WAL).
    const beforeKill = Date.now() / 1000;
    await new Promise((r) => setTimeout(r, 10_000)); // the last batches of that window land
    const heldBeforeKill = await samplesIn(30, beforeKill);
    expect(heldBeforeKill).toBeGreaterThan(0);
    const receive = topology.thanos.receive;
    receive.process.kill('SIGKILL'); // one Go process, no children: this is its whole process tree
    await new Promise<void>((resolve) => receive.process.once('exit', () => resolve()));
    const outageStart = Date.now() / 1000;
    // The gateways cannot write: one batch each is being retried and the next ones wait in the queue.
    await eventually('batches waiting in a gateway remote-write queue', 30_000, async () =>
      (await gatewayMetric('otelcol_exporter_queue_size')) > 0 ? true : undefined,
    );
    await sleepUntil(outageStart + OUTAGE_SECONDS);
    const queuedAtReturn = await gatewayMetric('otelcol_exporter_queue_size');
    await topology.restartReceive();
    const outageEnd = Date.now() / 1000;
    await eventually('the gateway queues drained', 120_000, async () =>
      (await gatewayMetric('otelcol_exporter_queue_size')) === 0 ? true : undefined,
    );
    expect(queuedAtReturn, 'batches queued on the gateways when Receive came back').toBeGreaterThan(0);
    // Receive's WAL: every sample it had acknowledged before the SIGKILL is still there (once
    // Query has reconnected to the restarted Receive; until then it answers from the ruler alone).
    const keptAfterRestart = await eventually('the pre-kill samples back in Thanos Query', 60_000, async () => {
      const n = await samplesIn(30, beforeKill);
      return n >= heldBeforeKill ? n : undefined;
    }).catch(() => samplesIn(30, beforeKill));
    // (More is fine: samples of that window still on their way at the kill arrived after the restart.)
    expect(keptAfterRestart, 'samples of the 30 s before the kill, after the restart').toBeGreaterThanOrEqual(
      heldBeforeKill,
    );
    // No batch was dropped, by the gateways (retries given up, full queue) or the agents behind them.
    for (const name of ['otelcol_exporter_send_failed_metric_points', 'otelcol_exporter_enqueue_failed_metric_points'])
      expect(await gatewayMetric(name), name).toBe(0);
    for (const a of topology.agentPorts)
      expect(await selfMetric(a.self, 'otelcol_exporter_send_failed_metric_points')).toBe(0);
    // The outage is filled in: the app exports every second, so about one sample per second of it
    // (at least half, on a busy CI box), delivered late from the gateways' queues.
    const window = Math.floor(outageEnd - outageStart);
    const samples = await eventually('the outage samples in Thanos', 60_000, async () => {
      const n = await samplesIn(window, outageEnd);
      return n >= window / 2 ? n : undefined;
    }).catch(() => samplesIn(window, outageEnd));
    expect(samples, `samples of ${probe} in the ${window} s Receive was down`).toBeGreaterThanOrEqual(window / 2);
    console.log(
      `[scale-out] Receive down ${window} s: ${queuedAtReturn} batches queued on the gateways at its return,` +
        ` ${samples} samples of ${probe} in the outage window, ${keptAfterRestart} of the ${heldBeforeKill} of the 30 s before the kill kept`,
    );
  }, 300_000);

  it(`instance churn: ${CHURN} apps replaced by new instances; aggregated rates equal old + new, old series expire after the lookback`, async () => {
    const { thanos } = topology;
    const job = `job="${SCALE_JOB}"`;
    const victims = topology.apps.slice(0, CHURN);
    const replacements = [];
    for (const old of victims) replacements.push(await topology.restartApp(old));
    const oldIds = victims.map((a) => a.instance);
    const newIds = replacements.map((a) => a.instance);
    const oldSelector = `${job},instance=~"${oldIds.join('|')}"`;
    await eventually('the new instances in Thanos', 60_000, async () => {
      const rows = await query(thanos.queryUrl, `count by (instance) (llm_inference_latency_seconds_count{${job}})`);
      const seen = new Set(rows.map((r) => r.metric.instance));
      return newIds.every((i) => seen.has(i)) ? true : undefined;
    });
    const firstNew = Math.max(
      ...(
        await query(
          thanos.queryUrl,
          `min_over_time(timestamp(llm_inference_latency_seconds_count{${job},instance=~"${newIds.join('|')}"})[5m:1s])`,
        )
      ).map((r) => Number(r.value[1])),
    );
    // The old instances stopped one after the other: the first and the last one's newest sample.
    const oldLast = (
      await query(thanos.queryUrl, `timestamp(llm_inference_latency_seconds_count{${oldSelector}})`)
    ).map((r) => Number(r.value[1]));
    const [firstOldGone, lastOld] = [Math.min(...oldLast), Math.max(...oldLast)];
    // A recorded sample computed after the new instances started, while the old ones are still in its window.
    const at = await newestRecorded('job_provider_model:llm_requests:rate5m', firstNew + 5);
    const recorded = await queryAt(thanos.queryUrl, `job_provider_model:llm_requests:rate5m{${job}} @AT`, at);
    const perInstance = await queryAt(
      thanos.queryUrl,
      `sum by (instance, gen_ai_request_model) (rate(llm_inference_latency_seconds_count{${job}}[5m] @AT))`,
      at,
    );
    const instancesAt = new Set(perInstance.map((r) => r.metric.instance));
    for (const id of [...oldIds, ...newIds]) expect(instancesAt.has(id), `${id} in the 5m window at ${at}`).toBe(true);
    for (const row of recorded) {
      expect(Object.keys(row.metric).sort()).toEqual(['__name__', ...PER_MODEL].sort());
      const model = row.metric.gen_ai_request_model;
      const sum = perInstance
        .filter((r) => r.metric.gen_ai_request_model === model)
        .reduce((n, r) => n + Number(r.value[1]), 0);
      expect(relativeDifference(Number(row.value[1]), sum), `${model}: recorded vs old + new instances`).toBeLessThan(
        0.01,
      );
    }
    expect(recorded).toHaveLength(MODELS.length);
    // Staleness: remote-written series get no staleness marker, so an instant query selects a dead
    // instance's series until the lookback (5 min) has passed since its last sample, then no more.
    // Evaluated at those future times with `@`: the live instances have samples in both windows.
    const instancesAtTime = async (t: number) =>
      new Set(
        (
          await queryAt(thanos.queryUrl, `count by (instance) (llm_inference_latency_seconds_count{${job}} @AT)`, t)
        ).map((r) => r.metric.instance),
      );
    await sleepUntil(lastOld + 15); // the live instances' newest samples are then > 10 s after lastOld
    const before = await instancesAtTime(firstOldGone + 290);
    const after = await instancesAtTime(lastOld + 310);
    expect(before.size, 'instances selected 4 min 50 s after the first old one stopped').toBe(APPS + CHURN);
    expect(after.size, 'instances selected 5 min 10 s after the last old one stopped').toBe(APPS);
    for (const id of oldIds) expect(after.has(id)).toBe(false);
    console.log(
      `[scale-out] churn: ${oldIds.join(', ')} -> ${newIds.join(', ')}; recorded rate at ${at} = old + new instances;` +
        ` ${before.size} instances selected 290 s after the old ones' last samples, ${after.size} at 310 s`,
    );
  }, 180_000);

  it("the Grafana dashboard's queries run on Thanos Query: all parse, the call, error and recording-rule panels have data", async () => {
    const queries = dashboardQueries({
      service_name: ['scale-app'],
      provider: 'All',
      model: 'All',
      rateInterval: '1m',
    });
    // What the scale apps produce (calls with failures) plus the ruler; cost (their models have no
    // price), streaming, health, registry, drift and rate limits are not part of this topology.
    const produced = new Set<Feature>(['calls', 'errors', 'recording-rules']);
    const expected = queries.filter((q) => q.requires.every((f) => produced.has(f)));
    expect(expected.length).toBeGreaterThan(15);
    const empty: string[] = [];
    for (const q of queries) {
      const result = await query(topology.thanos.queryUrl, q.expr); // throws when Thanos cannot parse it
      if (expected.includes(q) && result.length === 0) empty.push(`${q.title} [${q.refId}]: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  }, 60_000);

  it('HighLLMErrorRate fires through Thanos Rule and its ALERTS series is in Thanos Query', async () => {
    const ruleUrl = topology.thanos.ruleUrl as string;
    // `for: 2m` after it went pending in the rules test, minutes ago.
    const firing = await eventually('HighLLMErrorRate firing', 180_000, async () => {
      const alerts = (await activeAlerts(ruleUrl)).filter(
        (a) => a.labels.alertname === 'HighLLMErrorRate' && a.labels.job === SCALE_JOB && a.state === 'firing',
      );
      return alerts.length === MODELS.length ? alerts : undefined;
    });
    for (const a of firing) {
      // Still the evaluation that started in the rules test: the Receive outage paused the rules
      // (their queries failed) instead of resetting the alert's `for` timer.
      expect(a.activeAt, `activeAt of ${a.labels.gen_ai_request_model}`).toBe(
        errorAlertActiveAt.get(a.labels.gen_ai_request_model ?? ''),
      );
      expect(a.labels.severity).toBe('critical');
      expect(a.annotations.summary).toMatch(
        /^High LLM error rate: 3\d(\.\d+)?% of calls to openai\/scale-model-\d+ fail in scale-out\/scale-app$/,
      );
    }
    const stored = await eventually('ALERTS in Thanos Query', 30_000, async () => {
      const rows = await query(
        topology.thanos.queryUrl,
        `ALERTS{alertname="HighLLMErrorRate",alertstate="firing",job="${SCALE_JOB}"}`,
      );
      return rows.length === MODELS.length ? rows : undefined;
    });
    expect(stored.map((r) => r.metric.gen_ai_request_model).sort()).toEqual([...MODELS].sort());
  }, 240_000);

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
    // The instances replaced in the churn test count too: their series stay in the store.
    for (const app of [...apps, ...topology.retired]) {
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
    // Aggregated over instances, old and new: the service's calls per model in the store equal
    // the sum of what every process (replaced ones included) recorded.
    const perModel = byLabels(
      await query(
        thanos.queryUrl,
        `sum by (gen_ai_request_model) (last_over_time(llm_inference_latency_seconds_count{job="${SCALE_JOB}"}[15m]))`,
      ),
      ['gen_ai_request_model'],
    );
    for (const model of MODELS)
      expect(perModel.get(model), model).toBe([...sent.values()].reduce((n, t) => n + (t[model]?.calls ?? 0), 0));
    // The measurement behind collector/README.md's sizing table (printed, not asserted: no timed assertions).
    console.log(
      `[scale-out] gateway-1 accepted ${gatewayPoints} data points in ${gatewaySeconds.toFixed(0)} s` +
        ` (${(gatewayPoints / gatewaySeconds).toFixed(0)}/s) using ${gatewayCpu.toFixed(2)} CPU-s` +
        ` (${(gatewayPoints / Math.max(gatewayCpu, 0.01)).toFixed(0)} points per CPU-second);` +
        ` agent-1 accepted ${agentPoints} using ${agentCpu.toFixed(2)} CPU-s` +
        ` (${(agentPoints / Math.max(agentCpu, 0.01)).toFixed(0)} per CPU-second);` +
        ` Thanos Receive (since its restart) appended ${appended} samples using ${receiveCpu.toFixed(2)} CPU-s` +
        ` (${(appended / Math.max(receiveCpu, 0.01)).toFixed(0)} samples per CPU-second);` +
        ` resident memory: ${memory.join(', ')}, thanos-receive ${residentMiB(thanos.receive.process.pid ?? 0).toFixed(0)} MiB`,
    );
  }, 180_000);
});
