import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Service, start, waitForHttp } from './processes.js';

/** One result of an instant query. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Starts the real Prometheus server with the repository's rule files, scraping the collector's
 * Prometheus exporter (honor_labels, as prometheus/prometheus.yml does) and its own metrics, with
 * 1 s scrape and evaluation intervals so a test sees results quickly.
 */
export async function startPrometheus(options: {
  repoRoot: string;
  workDir: string;
  port: number;
  collectorMetricsTarget: string;
  collectorSelfTarget: string;
  extraTargets?: Array<{ job: string; target: string }>;
}): Promise<{ service: Service; url: string }> {
  mkdirSync(options.workDir, { recursive: true });
  const rulesDir = join(options.repoRoot, 'prometheus', 'rules');
  const rules = readdirSync(rulesDir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .map((f) => join(rulesDir, f));
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'rule_files:',
    ...rules.map((r) => `  - ${JSON.stringify(r)}`),
    'scrape_configs:',
    '  - job_name: otelcol-llm',
    '    honor_labels: true',
    '    static_configs:',
    `      - targets: [${JSON.stringify(options.collectorMetricsTarget)}]`,
    '  - job_name: otelcol-llm-self',
    '    static_configs:',
    `      - targets: [${JSON.stringify(options.collectorSelfTarget)}]`,
    ...(options.extraTargets ?? []).flatMap((t) => [
      `  - job_name: ${t.job}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(t.target)}]`,
    ]),
    '',
  ].join('\n');
  const configFile = join(options.workDir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const service = start(
    'prometheus',
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--web.enable-lifecycle',
      // Keeps the latency exemplars the collector agent's OpenMetrics endpoint serves (the
      // dashboard's latency panel draws them; demo:stack shows them).
      '--enable-feature=exemplar-storage',
    ],
    { logDir: options.workDir },
  );
  const url = `http://127.0.0.1:${options.port}`;
  await waitForHttp(`${url}/-/ready`, 30_000, service);
  return { service, url };
}

/** Runs an instant query; throws with Prometheus' error text when the query is invalid. */
export async function query(url: string, promql: string): Promise<PromSample[]> {
  const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: PromSample[] };
  };
  if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
  return body.data?.result ?? [];
}

/** Names of every series Prometheus holds. */
export async function metricNames(url: string): Promise<string[]> {
  const body = (await (await fetch(`${url}/api/v1/label/__name__/values`)).json()) as { data: string[] };
  return body.data;
}

/** Alerts by name and state (pending, firing). */
export async function alerts(url: string): Promise<Array<{ labels: Record<string, string>; state: string }>> {
  const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as {
    data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
  };
  return body.data.alerts;
}
