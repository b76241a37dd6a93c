import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, type Service, start, waitForHttp } from './processes.js';

/** Ports of one Jaeger instance (all on loopback). */
export interface JaegerPorts {
  /** OTLP/gRPC receiver: where the collector's `otlp_grpc/traces` exporter sends. */
  otlpGrpc: number;
  /** OTLP/HTTP receiver (also used to tell when the receivers are up). */
  otlpHttp: number;
  /** Query HTTP API (`/api/traces`) and UI. */
  queryHttp: number;
  queryGrpc: number;
}

/** A running Jaeger: its process, query URL and the OTLP/gRPC `host:port` to export to. */
export interface Jaeger {
  service: Service;
  url: string;
  otlpGrpcEndpoint: string;
}

/** One span as Jaeger's HTTP API returns it (the fields the tests read). */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  tags: Array<{ key: string; type: string; value: unknown }>;
}

/** One trace as Jaeger's HTTP API returns it. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: Array<{ key: string; value: unknown }> }>;
}

/** The Jaeger binary built by `pnpm stores:build`. */
export function jaegerBinary(repoRoot: string): string {
  const bin = join(repoRoot, 'stores', '_build', 'bin', 'jaeger');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm stores:build\` first`);
  return bin;
}

/**
 * Starts Jaeger with stores/jaeger.yaml (in-memory storage) on the given loopback ports and
 * waits until both its query API and its OTLP receiver answer (extensions start before
 * receivers, so the query API alone does not mean spans are accepted yet).
 */
export async function startJaeger(repoRoot: string, ports: JaegerPorts, logDir: string): Promise<Jaeger> {
  const service = start('jaeger', jaegerBinary(repoRoot), ['--config', join(repoRoot, 'stores', 'jaeger.yaml')], {
    logDir,
    env: {
      JAEGER_LISTEN_HOST: '127.0.0.1',
      JAEGER_OTLP_GRPC_PORT: String(ports.otlpGrpc),
      JAEGER_OTLP_HTTP_PORT: String(ports.otlpHttp),
      JAEGER_QUERY_HTTP_PORT: String(ports.queryHttp),
      JAEGER_QUERY_GRPC_PORT: String(ports.queryGrpc),
    },
  });
  const url = `http://127.0.0.1:${ports.queryHttp}`;
  await waitForHttp(`${url}/api/services`, 60_000, service);
  await eventually(`Jaeger's OTLP receiver (see ${service.log})`, 30_000, async () => {
    if (service.process.exitCode !== null) throw new Error(`jaeger exited; see ${service.log}`);
    // An empty export is a valid request: 200 once the receiver listens.
    const r = await fetch(`http://127.0.0.1:${ports.otlpHttp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await r.body?.cancel();
    return r.ok ? true : undefined;
  });
  return { service, url, otlpGrpcEndpoint: `127.0.0.1:${ports.otlpGrpc}` };
}

/** What to search for: an operation (span name) and span tags that must all match. */
export interface TraceSearch {
  operation?: string;
  tags?: Record<string, string>;
  limit?: number;
}

/** Traces of `serviceName` from Jaeger's HTTP API (`GET /api/traces?service=...`), newest first. */
export async function jaegerTraces(url: string, serviceName: string, search: TraceSearch = {}): Promise<JaegerTrace[]> {
  const params = new URLSearchParams({ service: serviceName, limit: String(search.limit ?? 1000), lookback: '1h' });
  if (search.operation) params.set('operation', search.operation);
  if (search.tags) params.set('tags', JSON.stringify(search.tags));
  return traceList(await fetch(`${url}/api/traces?${params}`), '/api/traces');
}

/** One trace by id (`GET /api/traces/<traceId>`), or undefined when Jaeger does not hold it. */
export async function jaegerTrace(url: string, traceId: string): Promise<JaegerTrace | undefined> {
  return (await traceList(await fetch(`${url}/api/traces/${traceId}`), `/api/traces/${traceId}`))[0];
}

async function traceList(response: Response, what: string): Promise<JaegerTrace[]> {
  // Jaeger answers 404 for an unknown trace id, and for a service it has not seen yet.
  if (response.status === 404) {
    await response.body?.cancel();
    return [];
  }
  if (!response.ok) throw new Error(`GET ${what}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { data: JaegerTrace[] | null };
  return body.data ?? [];
}

/** The value of a span tag (attribute), or undefined. */
export function tag(span: JaegerSpan, key: string): unknown {
  return span.tags.find((t) => t.key === key)?.value;
}
