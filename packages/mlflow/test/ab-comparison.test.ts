// Issue 14 feature 4, end to end: an app instrumented with `--import @llm-otel/node/register` runs
// two experiments against the model simulator through the real `openai` client. The candidate model
// is slower, answers worse (an evaluator scores the answers) and fails more often: its comparison
// with the baseline reports it (p < 0.01, effect signs right). Two arms on the same model do not
// differ (p > 0.05). The results are in MLflow (REST API, on the variants' runs) and in the app's
// llm_ab_* gauges (its /metrics).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { rest } from './utils/rest.js';

const EXPERIMENT = 'ab-proof';
let mlflow: MlflowServer;
let app: ChildProcess | undefined;
let metricsPort: number;
let stderr = '';
let reports: Array<{ experiment: string; arms: Array<{ variant: string; calls: number; errors: number }> }> = [];

beforeAll(async () => {
  mlflow = await startMlflowServer();
  metricsPort = await freePort();
  app = spawn(
    process.execPath,
    ['--import', '@llm-otel/node/register', fileURLToPath(new URL('./fixtures/ab-app.mjs', import.meta.url))],
    {
      cwd: fileURLToPath(new URL('../../node', import.meta.url)),
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: mlflow.url,
        MLFLOW_EXPERIMENT_NAME: EXPERIMENT,
        LLM_OTEL_MLFLOW_FLUSH_INTERVAL_MS: '300',
        LLM_OTEL_MLFLOW_AB_INTERVAL_MS: '300',
        OTEL_SERVICE_NAME: 'ab-app',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  app.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let out = '';
  await Promise.race([
    (async () => {
      for await (const chunk of app.stdout as NodeJS.ReadableStream) {
        out += chunk.toString();
        if (out.includes('\n')) break;
      }
    })(),
    once(app, 'exit').then(() => {
      throw new Error(`app exited: ${stderr}`);
    }),
  ]);
  ({ reports } = JSON.parse(out.split('\n')[0] as string));
}, 180_000);

afterAll(async () => {
  if (app !== undefined && app.exitCode === null) {
    app.kill('SIGTERM');
    await once(app, 'exit');
  }
  await mlflow?.stop();
});

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of `name` on the app's /metrics. */
async function scrape(name: string): Promise<Sample[]> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const labels: Record<string, string> = {};
    for (const m of line.slice(name.length + 1, close).matchAll(/([a-z_]+)="([^"]*)"/g))
      labels[m[1] as string] = m[2] as string;
    out.push({
      labels,
      value: Number(
        line
          .slice(close + 1)
          .trim()
          .split(' ')[0],
      ),
    });
  }
  return out;
}

const pick = (samples: Sample[], experiment: string, metric: string, test: string) =>
  samples.find(
    (s) => s.labels.llm_experiment === experiment && s.labels.llm_ab_metric === metric && s.labels.llm_ab_test === test,
  )?.value;

interface Run {
  info: { run_name: string };
  data: { metrics?: Array<{ key: string; value: number }>; tags?: Array<{ key: string; value: string }> };
}

async function runs(): Promise<Map<string, Run>> {
  const experiment = await rest(mlflow.url, 'GET', 'experiments/get-by-name', { experiment_name: EXPERIMENT });
  const id = (experiment.experiment as { experiment_id: string }).experiment_id;
  const body = await rest(mlflow.url, 'POST', 'runs/search', { experiment_ids: [id] } as never);
  return new Map(((body.runs ?? []) as Run[]).map((r) => [r.info.run_name, r]));
}

const asObject = <T>(list: Array<{ key: string; value: T }> = []) =>
  Object.fromEntries(list.map((e) => [e.key, e.value])) as Record<string, T>;

describe('A/B comparison of two models through the real openai client (MLflow and gauges)', () => {
  it('the split gives each arm its share of the users; the calls of each arm carry llm_variant', async () => {
    const byArm = Object.fromEntries(reports.flatMap((r) => r.arms.map((a) => [a.variant, a])));
    for (const name of ['base-model', 'candidate-model', 'twin-a', 'twin-b']) {
      expect(byArm[name]?.calls, name).toBeGreaterThan(55);
      expect(byArm[name]?.calls, name).toBeLessThan(105);
    }
    expect((byArm['base-model']?.calls ?? 0) + (byArm['candidate-model']?.calls ?? 0)).toBe(160);
    // The latency histogram's call counts per llm_variant are the comparator's; the two warm-up
    // calls outside the experiments have no llm_variant label.
    const counts = new Map<string, number>();
    for (const s of await scrape('llm_inference_latency_seconds_count')) {
      const key = s.labels.llm_variant ?? '-';
      counts.set(key, (counts.get(key) ?? 0) + s.value);
    }
    for (const name of ['base-model', 'candidate-model', 'twin-a', 'twin-b'])
      expect(counts.get(name), name).toBe(byArm[name]?.calls);
    expect(counts.get('-')).toBe(2);
  });

  it('the slower, worse model: latency and quality p < 0.01 with the right signs, the error ratio compared', async () => {
    const p = await scrape('llm_ab_p_value');
    const effect = await scrape('llm_ab_effect_size');
    const diff = await scrape('llm_ab_difference');
    const swap = (samples: Sample[], metric: string, test: string) => pick(samples, 'model-swap', metric, test);
    const seen = JSON.stringify(
      p.filter((s) => s.labels.llm_experiment === 'model-swap').map((s) => [s.labels, s.value]),
    );
    for (const test of ['mann_whitney', 'welch_t']) {
      expect(swap(p, 'latency', test), `${test} ${seen}`).toBeLessThan(0.01);
      expect(swap(effect, 'latency', test), test).toBeGreaterThan(0.3);
      expect(swap(p, 'quality_score', test), `${test} ${seen}`).toBeLessThan(0.01);
      expect(swap(effect, 'quality_score', test), test).toBeLessThan(-0.3);
    }
    // About 80 ms slower (medians of 40 and 120 ms drawn), about 0.3 worse.
    expect(swap(diff, 'latency', 'mann_whitney')).toBeGreaterThan(0.04);
    expect(swap(diff, 'quality_score', 'welch_t')).toBeLessThan(-0.2);
    expect(swap(p, 'error_ratio', 'two_proportion_z')).toBeLessThan(0.01);
    expect(swap(diff, 'error_ratio', 'two_proportion_z')).toBeGreaterThan(0.1);
    // The candidate is compared with the baseline, never the other way round.
    for (const s of p.filter((x) => x.labels.llm_experiment === 'model-swap'))
      expect(s.labels.llm_variant).toBe('candidate-model');
  });

  it('two arms on the same model: no test reports a difference (p > 0.05)', async () => {
    const aa = (await scrape('llm_ab_p_value')).filter((s) => s.labels.llm_experiment === 'aa-check');
    expect(aa.map((s) => `${s.labels.llm_ab_metric}/${s.labels.llm_ab_test}`).sort()).toEqual([
      'error_ratio/two_proportion_z',
      'latency/mann_whitney',
      'latency/welch_t',
      'quality_score/mann_whitney',
      'quality_score/welch_t',
    ]);
    for (const s of aa) expect(s.value, JSON.stringify(aa)).toBeGreaterThan(0.05);
  });

  it("the comparisons are on the variants' runs in MLflow: p-values, effect sizes, tests and baseline", async () => {
    await vi.waitFor(
      async () => {
        const m = asObject((await runs()).get('candidate-model')?.data.metrics);
        expect(m['ab.latency.p_value']).toBeDefined();
        expect(m['ab.error_ratio.p_value']).toBeDefined();
      },
      { timeout: 30_000, interval: 300 },
    );
    const all = await runs();
    // One run per variant: the A/B logging used the runs of the variant tracking.
    expect([...all.keys()].sort()).toEqual(['base-model', 'candidate-model', 'twin-a', 'twin-b']);
    const candidate = all.get('candidate-model') as Run;
    const m = asObject(candidate.data.metrics);
    const gauges = await scrape('llm_ab_p_value');
    expect(m['ab.latency.p_value']).toBeLessThan(0.01);
    expect(m['ab.latency.p_value']).toBeCloseTo(pick(gauges, 'model-swap', 'latency', 'mann_whitney') as number, 12);
    expect(m['ab.latency.effect_size']).toBeGreaterThan(0.3);
    expect(m['ab.latency.welch_t.p_value']).toBeLessThan(0.01);
    expect(m['ab.quality_score.p_value']).toBeLessThan(0.01);
    expect(m['ab.quality_score.effect_size']).toBeLessThan(-0.3);
    expect(m['ab.error_ratio.p_value']).toBeLessThan(0.01);
    expect(m['ab.error_ratio.effect_size']).toBeGreaterThan(0);
    expect(m['ab.error_ratio.samples']).toBe(m['calls']);
    expect(asObject(candidate.data.tags)).toMatchObject({
      'llm_otel.variant': 'candidate-model',
      'ab.experiment': 'model-swap',
      'ab.baseline': 'base-model',
      'ab.role': 'treatment',
      'ab.latency.test': 'mann_whitney',
      'ab.latency.effect_size': 'rank_biserial',
      'ab.quality_score.test': 'welch_t',
      'ab.quality_score.effect_size': 'hedges_g',
      'ab.error_ratio.test': 'two_proportion_z',
      'ab.error_ratio.effect_size': 'cohens_h',
    });
    expect(asObject(all.get('base-model')?.data.tags)).toMatchObject({ 'ab.role': 'baseline' });
    await vi.waitFor(
      async () => expect(asObject((await runs()).get('twin-b')?.data.metrics)['ab.latency.p_value']).toBeDefined(),
      { timeout: 30_000, interval: 300 },
    );
    const twin = asObject((await runs()).get('twin-b')?.data.metrics);
    for (const key of ['ab.latency.p_value', 'ab.quality_score.p_value', 'ab.error_ratio.p_value'])
      expect(twin[key], key).toBeGreaterThan(0.05);
    expect(stderr).not.toMatch(/unreachable|failed/);
  });
});
