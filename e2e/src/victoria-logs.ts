import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Service, start, waitForHttp } from './processes.js';

/** A running VictoriaLogs: its process, base URL and the OTLP/HTTP logs URL to export to. */
export interface VictoriaLogs {
  service: Service;
  url: string;
  otlpLogsEndpoint: string;
}

/** One stored log entry: VictoriaLogs returns every field as a string. */
export type LogEntry = Record<string, string>;

/** The VictoriaLogs binary built by `pnpm stores:build`. */
export function victoriaLogsBinary(repoRoot: string): string {
  const bin = join(repoRoot, 'stores', '_build', 'bin', 'victoria-logs');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm stores:build\` first`);
  return bin;
}

/** Starts VictoriaLogs on `127.0.0.1:<port>` with its data under `<workDir>/victoria-logs-data`. */
export async function startVictoriaLogs(repoRoot: string, port: number, workDir: string): Promise<VictoriaLogs> {
  const dataDir = join(workDir, 'victoria-logs-data');
  mkdirSync(dataDir, { recursive: true });
  const service = start(
    'victoria-logs',
    victoriaLogsBinary(repoRoot),
    [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${dataDir}`],
    { logDir: workDir },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, 30_000, service);
  return { service, url, otlpLogsEndpoint: `${url}/insert/opentelemetry/v1/logs` };
}

/**
 * Runs a LogsQL query (`/select/logsql/query`) and returns the entries. The answer is one JSON
 * object per line; a query error is thrown with VictoriaLogs' own message.
 */
export async function logsQuery(url: string, logsql: string, limit = 1000): Promise<LogEntry[]> {
  const response = await fetch(`${url}/select/logsql/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: logsql, limit: String(limit) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`LogsQL ${logsql}: ${response.status} ${text}`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogEntry);
}
