import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Service, start, waitForHttp } from './processes.js';

/** Ports of one collector instance. */
export interface CollectorPorts {
  grpc: number;
  http: number;
  prometheus: number;
  health: number;
  self: number;
}

/** The collector distribution built by `pnpm collector:build`. */
export function collectorBinary(repoRoot: string): string {
  const bin = join(repoRoot, 'collector', '_build', 'dist', 'otelcol-llm');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm collector:build\` first`);
  return bin;
}

/**
 * Starts the real collector with collector/config.yaml on the given loopback ports. `env` adds or
 * overrides variables of the config, e.g. the store endpoints from {@link storeEndpoints}.
 */
export async function startCollector(
  repoRoot: string,
  ports: CollectorPorts,
  logDir: string,
  env: Record<string, string> = {},
): Promise<Service> {
  const service = start(
    'otelcol-llm',
    collectorBinary(repoRoot),
    ['--config', join(repoRoot, 'collector', 'config.yaml')],
    {
      logDir,
      env: {
        OTELCOL_LISTEN_HOST: '127.0.0.1',
        OTLP_GRPC_PORT: String(ports.grpc),
        OTLP_HTTP_PORT: String(ports.http),
        OTELCOL_PROM_PORT: String(ports.prometheus),
        OTELCOL_HEALTH_PORT: String(ports.health),
        OTELCOL_METRICS_HOST: '127.0.0.1',
        OTELCOL_METRICS_PORT: String(ports.self),
        ...env,
      },
    },
  );
  await waitForHttp(`http://127.0.0.1:${ports.health}/`, 30_000, service);
  return service;
}

/**
 * The collector variables that point its traces and logs pipelines at a Jaeger (OTLP/gRPC
 * `host:port`) and a VictoriaLogs (OTLP/HTTP logs URL); either may be left out.
 */
export function storeEndpoints(stores: {
  jaeger?: { otlpGrpcEndpoint: string };
  logs?: { otlpLogsEndpoint: string };
}): Record<string, string> {
  return {
    ...(stores.jaeger ? { OTELCOL_TRACES_ENDPOINT: stores.jaeger.otlpGrpcEndpoint } : {}),
    ...(stores.logs ? { OTELCOL_LOGS_ENDPOINT: stores.logs.otlpLogsEndpoint } : {}),
  };
}
