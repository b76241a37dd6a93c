// Runs every query of the dashboard against a real Prometheus that scrapes canned llm_* metrics
// (test/canned-metrics.mjs, labelled like the collector's output) and evaluates the project's
// recording rules. Skipped when no `prometheus` binary is installed (Debian: apt-get install
// prometheus). The end-to-end test runs the same queries on data from the real pipeline.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardQuery, dashboardQueries, type QueryVariables } from '../src/index.js';
import { fetchPictureData, PICTURE_CHARTS, PICTURE_STATS } from '../src/render.js';
import { MODELS, perCall, RATE_LIMITS, serve } from './canned-metrics.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus';
const RULES = resolve(here, '../../prometheus/rules');

/** The default hourly budget of the shipped prometheus/rules/llm-budget.yml (its first vector). */
function defaultBudget(): number {
  const m = /record: llm:cost_budget_usd_per_hour\s+expr: vector\(([0-9.]+)\)/.exec(
    readFileSync(join(RULES, 'llm-budget.yml'), 'utf8'),
  );
  if (!m) throw new Error('no default budget in prometheus/rules/llm-budget.yml');
  return Number(m[1]);
}

function hasPrometheus(): boolean {
  try {
    execFileSync(PROMETHEUS, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

interface PromResult {
  status: string;
  error?: string;
  data?: { result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] };
}

/** Runs `q` as Grafana would, ending at `end` (Unix seconds; default now). */
async function run(base: string, q: DashboardQuery, end = Date.now() / 1000): Promise<PromResult> {
  const url = new URL(q.instant ? '/api/v1/query' : '/api/v1/query_range', base);
  url.searchParams.set('query', q.expr);
  if (q.instant) url.searchParams.set('time', String(end));
  else {
    url.searchParams.set('start', String(end - 120));
    url.searchParams.set('end', String(end));
    url.searchParams.set('step', '5');
  }
  return (await (await fetch(url)).json()) as PromResult;
}

const SELECTIONS: [string, QueryVariables][] = [
  ['All', {}],
  [
    'one service, provider and model',
    { service_name: ['chat-api'], provider: ['anthropic'], model: ['claude-sonnet-4'] },
  ],
  ['several models', { service_name: ['chat-api'], provider: 'All', model: ['gpt-4o-mini', 'gpt-4o'] }],
];

describe.skipIf(!hasPrometheus())('dashboard queries on a real Prometheus (canned metrics)', () => {
  let target: Server;
  let prometheus: ChildProcess;
  let dir: string;
  let base: string;
  let log = '';

  beforeAll(async () => {
    target = await serve(0);
    const targetPort = (target.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'llm-otel-grafana-prom-'));
    for (const file of ['llm-recording.yml', 'llm-budget.yml']) copyFileSync(join(RULES, file), join(dir, file));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files: [llm-recording.yml, llm-budget.yml]',
        'scrape_configs:',
        '  - job_name: canned',
        '    honor_labels: true',
        '    static_configs:',
        `      - targets: ["127.0.0.1:${targetPort}"]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    // Ready when every query of the All selection returns a series (rates need two scrapes
    // of advanced counters; the simulation ticks every 5 s; the 6h baseline needs one rule run).
    const deadline = Date.now() + 45_000;
    for (;;) {
      let missing = 'prometheus not up';
      try {
        const results = await Promise.all(dashboardQueries({ rateInterval: '1m' }).map((q) => run(base, q)));
        const empty = results.findIndex((r) => (r.data?.result.length ?? 0) === 0);
        if (empty < 0) break;
        missing = `query ${empty} still empty`;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`Prometheus not ready: ${missing}\n${log}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }, 60_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await new Promise((r) => target?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(SELECTIONS)('every query parses and returns at least one series (%s)', async (_name, vars) => {
    const failures: string[] = [];
    for (const q of dashboardQueries({ ...vars, rateInterval: '1m' })) {
      const r = await run(base, q);
      if (r.status !== 'success') failures.push(`${q.title} ${q.refId}: ${r.error}\n  ${q.expr}`);
      else if (r.data?.result.length === 0) failures.push(`${q.title} ${q.refId}: no series\n  ${q.expr}`);
    }
    expect(failures).toEqual([]);
  });

  it('filters by the selected model', async () => {
    const [q] = dashboardQueries({ model: ['gpt-4o'], rateInterval: '1m' }).filter((x) => x.panelId === 6);
    const r = await run(base, q as DashboardQuery);
    expect(r.data?.result.map((s) => s.metric.gen_ai_request_model)).toEqual(['gpt-4o']);
  });

  it('computes plausible values: P50 latency of gpt-4o-mini near its simulated median (~1 s)', async () => {
    const [q] = dashboardQueries({ model: ['gpt-4o-mini'], rateInterval: '1m' }).filter(
      (x) => x.panelId === 5 && x.refId === 'A',
    );
    const r = await run(base, { ...(q as DashboardQuery), instant: true });
    const value = Number(r.data?.result[0]?.value?.[1]);
    expect(value).toBeGreaterThan(0.5);
    expect(value).toBeLessThan(2);
  });

  /** The panel's query (by refId) run as an instant query now: value per series. */
  async function instant(panelId: number, vars: QueryVariables = {}, refId = 'A', at?: number) {
    const q = dashboardQueries({ ...vars, rateInterval: '1m' }).find(
      (x) => x.source === 'panel' && x.panelId === panelId && x.refId === refId,
    );
    if (!q) throw new Error(`no query ${refId} in panel ${panelId}`);
    const r = await run(base, { ...q, instant: true }, at);
    expect(r.status, `${q.title}: ${r.error}`).toBe('success');
    return (r.data?.result ?? []).map((s) => ({ labels: s.metric, value: Number(s.value?.[1]) }));
  }
  const modelOf = (m: (typeof MODELS)[number]) => m.model;
  // The simulation started seconds ago: its slow waves (input length, error share) have not moved.
  const sumOf = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

  it('cost per 1,000 calls is tokens x price of a typical call, per priced model', async () => {
    const got = new Map((await instant(25)).map((s) => [s.labels.gen_ai_request_model, s.value]));
    const priced = MODELS.filter((m) => m.prices !== null);
    expect([...got.keys()].sort()).toEqual(priced.map(modelOf).sort());
    for (const m of priced) {
      const expected = sumOf(perCall(m).cost) * 1000;
      expect(got.get(m.model), m.model).toBeGreaterThan(expected * 0.99);
      expect(got.get(m.model), m.model).toBeLessThan(expected * 1.01);
    }
    // gpt-4o-mini: 70 % of 793 input tokens at 0.15, 30 % at 0.075, 249 output tokens at 0.60 per million.
    expect(got.get('gpt-4o-mini')).toBeCloseTo(0.2507, 3);
  });

  it('spend per hour is the sum of the cost per hour of the models', async () => {
    const at = Date.now() / 1000;
    const [total] = await instant(19, {}, 'A', at);
    const perModel = await instant(23, {}, 'A', at);
    expect(perModel.length).toBe(MODELS.filter((m) => m.prices !== null).length);
    expect(total?.value).toBeGreaterThan(0);
    expect(total?.value).toBeCloseTo(
      perModel.reduce((a, s) => a + s.value, 0),
      6,
    );
  });

  it('token mix: cache shares of the input tokens and reasoning share of the output tokens', async () => {
    const got = new Map(
      (await instant(26)).map((s) => [`${s.labels.gen_ai_request_model} ${s.labels.gen_ai_token_type}`, s.value]),
    );
    const expected = new Map<string, number>();
    for (const m of MODELS) {
      if (m.cached) expected.set(`${m.model} cached_input`, m.cached);
      if (m.cacheCreation) expected.set(`${m.model} cache_creation_input`, m.cacheCreation);
      if (m.reasoning) expected.set(`${m.model} reasoning`, m.reasoning);
    }
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, share] of expected) expect(got.get(key), key).toBeCloseTo(share, 6);
  });

  it('rate-limit headroom is remaining / limit per provider and kind; the stat shows the lowest', async () => {
    const got = new Map(
      (await instant(27)).map((s) => [`${s.labels.gen_ai_provider_name} ${s.labels.llm_rate_limit_kind}`, s.value]),
    );
    expect(got).toEqual(new Map(RATE_LIMITS.map((w) => [`${w.provider} ${w.kind}`, w.headroom])));
    const [lowest] = await instant(22);
    expect(lowest?.value).toBe(Math.min(...RATE_LIMITS.map((w) => w.headroom)));
    const anthropic = await instant(22, { provider: ['anthropic'] });
    expect(anthropic[0]?.value).toBe(
      Math.min(...RATE_LIMITS.filter((w) => w.provider === 'anthropic').map((w) => w.headroom)),
    );
  });

  it('spend in the last hour vs budget: the recorded spend and the default budget of llm-budget.yml', async () => {
    const [spent] = await instant(24, { service_name: ['chat-api'] }, 'A');
    const [budget] = await instant(24, { service_name: ['chat-api'] }, 'B');
    expect(spent?.labels.job).toBe('chat-api');
    expect(spent?.value).toBeGreaterThan(0);
    expect(budget).toEqual({ labels: expect.objectContaining({ job: 'chat-api' }), value: defaultBudget() });
    const [used] = await instant(20);
    expect(used?.value).toBeCloseTo((spent?.value ?? 0) / defaultBudget(), 2);
  });

  it('unpriced calls: the model without a price, 0 where every call is priced', async () => {
    const unpriced = MODELS.filter((m) => m.prices === null);
    expect(unpriced.length).toBeGreaterThan(0);
    const [all] = await instant(21);
    expect(all?.value).toBeGreaterThan(0);
    const [priced] = await instant(21, { model: ['claude-sonnet-4'] });
    expect(priced?.value).toBe(0);
  });

  it('429s per minute are the rate_limit share of the calls of each model', async () => {
    const calls = new Map((await instant(6)).map((s) => [s.labels.gen_ai_request_model, s.value]));
    const limited = await instant(28);
    expect(limited.map((s) => s.labels.gen_ai_request_model).sort()).toEqual(MODELS.map(modelOf).sort());
    MODELS.forEach((m, i) => {
      const s = limited.find((x) => x.labels.gen_ai_request_model === m.model);
      // rate_limit is half of the errors; the error share is m.errors x (1 + 0.5 sin(i)) at the start.
      const expected = (calls.get(m.model) ?? 0) * m.errors * 0.5 * (1 + 0.5 * Math.sin(i));
      expect(s?.labels.gen_ai_provider_name).toBe(m.provider);
      expect(s?.value, m.model).toBeGreaterThan(expected * 0.9);
      expect(s?.value, m.model).toBeLessThan(expected * 1.1);
    });
  });

  it('the README picture: every stat and chart has data, the cost row in dollars', async () => {
    // The recording rules (the drift panel's baseline) may lag the readiness check by a rule
    // evaluation on a loaded machine: take the picture once every panel has had its first data.
    const deadline = Date.now() + 30_000;
    let data: Awaited<ReturnType<typeof fetchPictureData>>;
    for (;;) {
      const now = Math.floor(Date.now() / 1000);
      data = await fetchPictureData(base, now - 60, now, 5, { rateInterval: '1m' });
      const complete = data.stats.every((s) => s.value !== null) && data.charts.every((c) => c.series.length > 0);
      if (complete || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(data.stats.map((s) => s.id)).toEqual([...PICTURE_STATS]);
    expect(data.stats.filter((s) => s.value === null).map((s) => s.title)).toEqual([]);
    expect(data.charts.filter((c) => c.series.length === 0).map((c) => c.title)).toEqual([]);
    const chart = (id: number) => data.charts.find((c) => c.id === id);
    const stat = (id: number) => data.stats.find((s) => s.id === id);
    expect(chart(23)).toMatchObject({ title: 'Cost per hour by model', unit: 'currencyUSD', min: 0 });
    expect(
      chart(23)
        ?.series.map((x) => x.name)
        .sort(),
    ).toEqual(
      MODELS.filter((m) => m.prices !== null)
        .map(modelOf)
        .sort(),
    );
    expect(chart(27)).toMatchObject({ unit: 'percentunit', threshold: 0.1, min: 0, max: 1 });
    expect(chart(27)?.series.length).toBe(RATE_LIMITS.length);
    expect(stat(19)).toMatchObject({ title: 'Spend per hour', unit: 'currencyUSD', decimals: 2 });
    expect(stat(20)?.steps.map((x) => x.color)).toEqual(['green', 'orange', 'red']);
    expect(stat(22)?.value).toBe(Math.min(...RATE_LIMITS.map((w) => w.headroom)));
    expect(data.sections?.map((x) => x.title)).toEqual([undefined, 'Cost and rate limits']);
    expect(data.charts.map((c) => c.id)).toEqual([...PICTURE_CHARTS]);
  });

  it('the README picture reads stats at the end of the data, not at defaults after it', async () => {
    // A range running past the data, as when rendering canned or saved history later: after the
    // last sample, "Unpriced calls / min" falls back to its `or vector(0)`.
    const now = Math.floor(Date.now() / 1000);
    const data = await fetchPictureData(base, now - 60, now + 300, 5, { rateInterval: '1m' });
    const unpriced = data.stats.find((s) => s.title === 'Unpriced calls / min');
    expect(unpriced?.value).toBeGreaterThan(0);
    expect(data.stats.find((s) => s.title === 'Predictions / min')?.value).toBeGreaterThan(0);
  });
});
