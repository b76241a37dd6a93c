// Runs every query of the dashboard against a real Prometheus that scrapes canned llm_* metrics
// (test/canned-metrics.mjs, labelled like the collector's output) and evaluates the project's
// recording rules. Skipped when no `prometheus` binary is installed (Debian: apt-get install
// prometheus). The end-to-end test runs the same queries on data from the real pipeline.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardQuery, dashboardQueries, type QueryVariables } from '../src/index.js';
import { serve } from './canned-metrics.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? 'prometheus';

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

async function run(base: string, q: DashboardQuery): Promise<PromResult> {
  const end = Date.now() / 1000;
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
    copyFileSync(resolve(here, '../../prometheus/rules/llm-recording.yml'), join(dir, 'llm-recording.yml'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files: [llm-recording.yml]',
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
});
