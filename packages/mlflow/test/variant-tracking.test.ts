// Feature 2 against a real MLflow server: per-variant aggregates of the app's calls logged to a run
// per variant (params and metrics over time), and MLflow going down and coming back.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineVariant, getLlmMetrics, type Variant, withVariant } from '@llm-otel/core';
import { context, DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVariantTracking, type VariantTracking } from '../src/index.js';
import { TestContextManager } from './utils/async-context.js';
import { type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { rest } from './utils/rest.js';

let mlflow: MlflowServer;
let proxy: Awaited<ReturnType<typeof switchableProxy>>;
let tracking: VariantTracking | undefined;
const warnings: string[] = [];

beforeAll(async () => {
  mlflow = await startMlflowServer();
  proxy = await switchableProxy();
  context.setGlobalContextManager(new TestContextManager());
  diag.setLogger(
    {
      error: (m) => warnings.push(m),
      warn: (m) => warnings.push(m),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
}, 120_000);

afterAll(async () => {
  await tracking?.stop();
  diag.disable();
  context.disable();
  metrics.disable();
  await proxy?.close();
  await mlflow?.stop();
});

/** A proxy in front of the MLflow server that can be switched off (connections cut: MLflow down) and on. */
async function switchableProxy() {
  let down = false;
  const server = createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const upstream = request(`${mlflow.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setDown: (value: boolean) => {
      down = value;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const EXPERIMENT = 'prompt-experiments';
// gpt-4o-mini: 0.15 USD per million input tokens, 0.60 per million output tokens.
const COST_PER_CALL = 1000 * 0.15e-6 + 100 * 0.6e-6;

const concise = defineVariant({
  name: 'concise',
  template: 'Answer in one sentence: {question}',
  templateVersion: 'v3',
  temperature: 0.2,
  maxTokens: 128,
});
const vivid = defineVariant({ name: 'vivid', templateHash: 'sha256:beef', temperature: 0.9, topP: 0.95 });

/** One hand-recorded chat call (as the instrumentation records it), with the request's sampling. */
function call(durationSeconds: number, options: { error?: string; temperature?: number } = {}) {
  getLlmMetrics().recordInference({
    provider: 'openai',
    operation: 'chat',
    model: 'gpt-4o-mini',
    durationSeconds,
    inputTokens: 1000,
    outputTokens: 100,
    error: options.error,
    temperature: options.temperature,
  });
}

/** A request handler of the app: its calls and scores, with awaits between them, under `variant`. */
function requests(variant: Variant, durations: number[], failAt: number[], scores: number[]) {
  return withVariant(variant, async () => {
    for (const [i, d] of durations.entries()) {
      // Interleaves with the other variant's requests.
      await sleep(i % 2 === 0 ? 3 : 1);
      call(d, { error: failAt.includes(i) ? 'timeout' : undefined, temperature: variant.temperature });
    }
    for (const score of scores) {
      await sleep(1);
      getLlmMetrics().recordQualityScore(score, { task: 'answer' });
    }
  });
}

async function experimentId(): Promise<string> {
  const body = await rest(mlflow.url, 'GET', 'experiments/get-by-name', { experiment_name: EXPERIMENT });
  return (body.experiment as { experiment_id: string }).experiment_id;
}

interface Run {
  info: { run_id: string; run_name: string; status: string };
  data: {
    params?: Array<{ key: string; value: string }>;
    metrics?: Array<{ key: string; value: number; step: number }>;
    tags?: Array<{ key: string; value: string }>;
  };
}

async function runOf(variant: string): Promise<Run> {
  const body = await rest(mlflow.url, 'POST', 'runs/search', {
    experiment_ids: [await experimentId()],
    filter: `tags.\`llm_otel.variant\` = '${variant}'`,
  } as never);
  const runs = (body.runs ?? []) as Run[];
  expect(runs).toHaveLength(1);
  return runs[0] as Run;
}

const asObject = (list: Array<{ key: string; value: unknown }> = []) =>
  Object.fromEntries(list.map((e) => [e.key, e.value]));

async function history(runId: string, key: string) {
  const body = await rest(mlflow.url, 'GET', 'metrics/get-history', { run_id: runId, metric_key: key });
  return ((body.metrics ?? []) as Array<{ value: number; step: number; timestamp: number }>).map((m) => [
    m.step,
    m.value,
  ]);
}

describe('experiment tracking of prompt variants in MLflow', () => {
  it('two variants run concurrently: a run per variant with its params and the metrics the app produced', async () => {
    tracking = startVariantTracking(
      { trackingUri: proxy.url, experimentName: EXPERIMENT, serviceName: 'chat-api', flushIntervalMs: 3_600_000 },
      {},
    );
    await Promise.all([
      requests(concise, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], [2], [0.8, 0.6]),
      requests(vivid, [2, 4, 6, 8], [0, 3], []),
      // Calls outside any variant go to no run.
      (async () => {
        await sleep(2);
        call(9);
      })(),
    ]);
    // A request of the concise variant sent with another temperature: the experiment is not clean.
    withVariant(concise, () => call(0.55, { temperature: 0.7 }));
    await tracking.flushNow();
    expect(tracking.status()).toMatchObject({ reachable: true, runs: 2, delivered: 2, dropped: 0, pending: 0 });

    const c = await runOf('concise');
    expect(c.info.run_name).toBe('concise');
    expect(asObject(c.data.params)).toEqual({
      variant: 'concise',
      template_version: 'v3',
      template_hash: concise.templateHash,
      temperature: '0.2',
      max_tokens: '128',
    });
    expect(asObject(c.data.tags)).toMatchObject({ 'llm_otel.variant': 'concise', 'llm_otel.service_name': 'chat-api' });
    const cm = asObject(c.data.metrics) as Record<string, number>;
    expect(cm).toMatchObject({
      calls: 11,
      errors: 1,
      input_tokens: 11_000,
      output_tokens: 1100,
      quality_scores: 2,
      sampling_mismatch_calls: 1,
    });
    expect(cm.error_ratio).toBeCloseTo(1 / 11, 12);
    // Latencies 0.1 .. 1.0 and 0.55: the median is 0.55, p95 interpolated between 0.9 and 1.0.
    expect(cm.latency_p50_seconds).toBeCloseTo(0.55, 12);
    expect(cm.latency_p95_seconds).toBeCloseTo(0.95, 12);
    expect(cm.cost_usd).toBeCloseTo(11 * COST_PER_CALL, 12);
    expect(cm.quality_score_mean).toBeCloseTo(0.7, 12);

    const v = await runOf('vivid');
    expect(asObject(v.data.params)).toEqual({
      variant: 'vivid',
      template_hash: 'sha256:beef',
      temperature: '0.9',
      top_p: '0.95',
    });
    const vm = asObject(v.data.metrics) as Record<string, number>;
    expect(vm).toMatchObject({ calls: 4, errors: 2, error_ratio: 0.5, sampling_mismatch_calls: 0 });
    expect(vm.latency_p50_seconds).toBeCloseTo(5, 12);
    expect(vm.latency_p95_seconds).toBeCloseTo(7.7, 12);
    expect(vm.quality_score_mean).toBeUndefined();

    // Metrics over time: the next flush is the next step; a variant with no new calls sends nothing.
    withVariant(concise, () => {
      call(0.3);
      call(0.3, { error: 'rate_limit' });
    });
    await tracking.flushNow();
    expect(await history(c.info.run_id, 'calls')).toEqual([
      [0, 11],
      [1, 13],
    ]);
    expect((await history(c.info.run_id, 'error_ratio')).map(([, value]) => value)).toEqual([1 / 11, 2 / 13]);
    expect(await history(v.info.run_id, 'calls')).toEqual([[0, 4]]);
  }, 60_000);

  it('MLflow down: nothing thrown, points dropped and counted, warned once; the totals arrive when it is back', async () => {
    if (tracking === undefined) throw new Error('the first test starts the tracking');
    const t = tracking;
    proxy.setDown(true);
    // Load while MLflow is down: the request path only updates the fixed-size aggregates.
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        withVariant(concise, async () => {
          for (let i = 0; i < 1000; i++) call(0.2);
        }),
        withVariant(vivid, async () => {
          for (let i = 0; i < 1000; i++) call(3, { error: i % 4 === 0 ? 'timeout' : undefined });
        }),
      ]);
      await expect(t.flushNow()).resolves.toBeUndefined();
      // The backlog: one point per variant (its latest totals); the failed ones are dropped, not queued.
      expect(t.status()).toMatchObject({ reachable: false, variants: 2, pending: 2 });
    }
    expect(t.status().dropped).toBe(6);
    expect(t.status().delivered).toBe(3);
    expect(t.status().lastError).toMatch(/unreachable|UNREACHABLE/i);
    expect(warnings.filter((w) => w.includes('MLflow is unreachable'))).toHaveLength(1);

    proxy.setDown(false);
    withVariant(vivid, () => call(3));
    await t.flushNow();
    expect(t.status()).toMatchObject({ reachable: true, pending: 0 });
    const c = await runOf('concise');
    const v = await runOf('vivid');
    // Every call made during the outage is in the totals that arrived after it.
    expect(asObject(c.data.metrics)).toMatchObject({ calls: 13 + 3000, errors: 2 });
    expect(asObject(v.data.metrics)).toMatchObject({ calls: 4 + 3001, errors: 2 + 750 });
    // The outage's steps are missing from the history, not delivered late.
    const steps = (await history(v.info.run_id, 'calls')).map(([step]) => step);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBeGreaterThan(steps.length - 1);

    await t.stop();
    tracking = undefined;
    expect((await runOf('concise')).info.status).toBe('FINISHED');
    expect((await runOf('vivid')).info.status).toBe('FINISHED');
    // Stopped: calls under a variant go nowhere, and nothing throws.
    expect(() => withVariant(vivid, () => call(1))).not.toThrow();
    expect(t.status().pending).toBe(0);
  }, 60_000);
});
