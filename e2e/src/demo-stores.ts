/**
 * The trace and log stores of `pnpm demo:stack`: started when `pnpm stores:build` has built them,
 * left out with a note otherwise, and what to print so a person finds a call in each.
 */
import { callsOfModelQuery, jaegerSearchUrl, jaegerTraceUrl, logsQueryCurl } from './find-a-call.js';
import { type Jaeger, jaegerBinary, startJaeger } from './jaeger.js';
import { eventually, freePorts } from './processes.js';
import { logsQuery, startVictoriaLogs, type VictoriaLogs, victoriaLogsBinary } from './victoria-logs.js';

/** The stores that run (a missing one is undefined). */
export interface DemoStores {
  jaeger?: Jaeger;
  logs?: VictoriaLogs;
}

/** The model whose calls the printed examples look for (demo:stack sends it chat calls every second). */
export const EXAMPLE_MODEL = 'o4-mini';

/**
 * Starts Jaeger and VictoriaLogs when `pnpm stores:build` has built them. When a binary is missing it
 * says how to build them and starts neither; a store that does not start is left out with a note.
 * Either way the demo goes on (with metrics only, or without that store's signal).
 */
export async function startStores(
  repoRoot: string,
  workDir: string,
  log: (line: string) => void = console.log,
): Promise<DemoStores> {
  const missing: string[] = [];
  for (const binary of [jaegerBinary, victoriaLogsBinary]) {
    try {
      binary(repoRoot);
    } catch (error) {
      missing.push((error as Error).message);
    }
  }
  if (missing.length > 0) {
    log(
      `the trace and log stores are not built (${missing.join('; ')}).\n` +
        'Build them with `pnpm stores:build` (about 6 minutes the first time, then cached) and start the demo again\n' +
        'to see one span (Jaeger) and one log record (VictoriaLogs) per call. Continuing with metrics only.',
    );
    return {};
  }
  const [otlpGrpc, otlpHttp, queryHttp, queryGrpc, logsPort] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const [jaeger, logs] = await Promise.all([
    startJaeger(repoRoot, { otlpGrpc, otlpHttp, queryHttp, queryGrpc }, workDir).catch((error: unknown) => {
      log(`Jaeger did not start, continuing without traces: ${String(error)}`);
      return undefined;
    }),
    startVictoriaLogs(repoRoot, logsPort, workDir).catch((error: unknown) => {
      log(`VictoriaLogs did not start, continuing without per-call logs: ${String(error)}`);
      return undefined;
    }),
  ]);
  return { jaeger, logs };
}

/** How to find a call of `service` in each running store (the queries of find-a-call.ts); empty when none runs. */
export function findACall(service: string, stores: DemoStores): string {
  const lines: string[] = [];
  const query = callsOfModelQuery(service, EXAMPLE_MODEL);
  if (stores.logs)
    lines.push(
      `  VictoriaLogs           ${stores.logs.url}/select/vmui/  one record per call; LogsQL for the ${EXAMPLE_MODEL} calls:`,
      `                         ${query}`,
      `                         or: ${logsQueryCurl(stores.logs.url, query)}`,
    );
  if (stores.jaeger)
    lines.push(
      `  Jaeger                 ${stores.jaeger.url}  one span per call (HTTP API; the UI is a placeholder page unless built with the ui tag)`,
      `                         a call by the trace_id of its record: ${jaegerTraceUrl(stores.jaeger.url, '<trace_id>')}`,
      `                         the ${EXAMPLE_MODEL} chat spans: curl -s '${jaegerSearchUrl(stores.jaeger.url, service, 'chat', EXAMPLE_MODEL)}'`,
    );
  return lines.join('\n');
}

/** Once the first calls are stored: prints one real call's record and where its span is. */
export async function printOneCall(
  service: string,
  stores: DemoStores,
  log: (line: string) => void = console.log,
): Promise<void> {
  const logs = stores.logs;
  if (!logs) return;
  const [entry] = await eventually('a stored call', 60_000, async () => {
    const found = await logsQuery(logs.url, `${callsOfModelQuery(service, EXAMPLE_MODEL)} | limit 1`, 1);
    return found.length > 0 ? found : undefined;
  });
  if (!entry) return;
  log(
    `\n  a call in VictoriaLogs: ${JSON.stringify(entry)}` +
      (stores.jaeger && entry.trace_id
        ? `\n  its span in Jaeger:     ${jaegerTraceUrl(stores.jaeger.url, entry.trace_id)}`
        : ''),
  );
}
