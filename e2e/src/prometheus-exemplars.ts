import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Service, start, waitForHttp } from './processes.js';

/** One series of `/api/v1/query_exemplars` and its exemplars. */
export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

/**
 * Starts the real Prometheus with exemplar storage on (`--enable-feature=exemplar-storage`),
 * scraping `target` every second: an app's own `/metrics`, or a collector's prometheus exporter
 * (then with `honorLabels`, as prometheus/prometheus.yml scrapes it, so the app's `job` and
 * `instance` stay). Prometheus asks for OpenMetrics first (its default `Accept` header), the only
 * text format that carries exemplars. With `remoteWriteReceiver` it also takes remote write at
 * `/api/v1/write` (`--web.enable-remote-write-receiver`), exemplars included.
 */
export async function startPrometheusWithExemplars(options: {
  workDir: string;
  port: number;
  job: string;
  target: string;
  honorLabels?: boolean;
  remoteWriteReceiver?: boolean;
}): Promise<{ service: Service; url: string }> {
  mkdirSync(options.workDir, { recursive: true });
  const config = [
    'global:',
    '  scrape_interval: 1s',
    'scrape_configs:',
    `  - job_name: ${options.job}`,
    ...(options.honorLabels ? ['    honor_labels: true'] : []),
    '    static_configs:',
    `      - targets: [${JSON.stringify(options.target)}]`,
    '',
  ].join('\n');
  const configFile = join(options.workDir, 'prometheus-exemplars.yml');
  writeFileSync(configFile, config);
  const service = start(
    'prometheus-exemplars',
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.workDir, 'data-exemplars')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--enable-feature=exemplar-storage',
      ...(options.remoteWriteReceiver ? ['--web.enable-remote-write-receiver'] : []),
    ],
    { logDir: options.workDir },
  );
  const url = `http://127.0.0.1:${options.port}`;
  await waitForHttp(`${url}/-/ready`, 30_000, service);
  return { service, url };
}

/** The exemplars of `promql` over the last `lookbackSeconds` (`GET /api/v1/query_exemplars`). */
export async function queryExemplars(url: string, promql: string, lookbackSeconds = 600): Promise<ExemplarSeries[]> {
  const end = Date.now() / 1000;
  const params = new URLSearchParams({ query: promql, start: String(end - lookbackSeconds), end: String(end + 60) });
  const body = (await (await fetch(`${url}/api/v1/query_exemplars?${params}`)).json()) as {
    status: string;
    error?: string;
    data?: ExemplarSeries[];
  };
  if (body.status !== 'success') throw new Error(`query_exemplars ${promql}: ${body.error}`);
  return body.data ?? [];
}

/** The scrape state of every target (`GET /api/v1/targets`). */
export async function scrapeTargets(
  url: string,
): Promise<Array<{ health: string; lastError: string; scrapePool: string }>> {
  const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as {
    data: { activeTargets: Array<{ health: string; lastError: string; scrapePool: string }> };
  };
  return body.data.activeTargets;
}
