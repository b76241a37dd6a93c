import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectorBinary } from './collector.js';
import { type Service, start, waitForHttp } from './processes.js';

/** Ports of one collector of the gateway topology (agent or gateway). */
export interface TierPorts {
  grpc: number;
  http: number;
  health: number;
  self: number;
}

/**
 * Starts a collector of the gateway topology on loopback: `role` picks the config
 * (collector/gateway.yaml or collector/gateway-agent.yaml); `env` sets its other variables
 * (PRW_ENDPOINT for a gateway; OTELCOL_GATEWAY_ENDPOINT and OTELCOL_QUEUE_DIR for an agent).
 * Resolves once its health check answers.
 */
export async function startTierCollector(options: {
  repoRoot: string;
  role: 'gateway' | 'agent';
  name: string;
  ports: TierPorts;
  logDir: string;
  env: Record<string, string>;
}): Promise<Service> {
  const config = options.role === 'gateway' ? 'gateway.yaml' : 'gateway-agent.yaml';
  const service = start(
    options.name,
    collectorBinary(options.repoRoot),
    ['--config', join(options.repoRoot, 'collector', config)],
    {
      logDir: options.logDir,
      env: {
        OTELCOL_LISTEN_HOST: '127.0.0.1',
        OTLP_GRPC_PORT: String(options.ports.grpc),
        OTLP_HTTP_PORT: String(options.ports.http),
        OTELCOL_HEALTH_PORT: String(options.ports.health),
        OTELCOL_METRICS_HOST: '127.0.0.1',
        OTELCOL_METRICS_PORT: String(options.ports.self),
        ...options.env,
      },
    },
  );
  await waitForHttp(`http://127.0.0.1:${options.ports.health}/`, 30_000, service);
  return service;
}

/**
 * The sum of every series of `name` in a Prometheus text exposition (a collector's own
 * /metrics), or 0 when it has none. Lines are split on the last space, so label values with
 * spaces are fine.
 */
export function sumOfMetric(exposition: string, name: string): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(name)) continue;
    const next = line.charAt(name.length);
    if (next !== '{' && next !== ' ') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** A collector's own metric, summed over its series (see {@link sumOfMetric}). */
export async function selfMetric(selfPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${selfPort}/metrics`)).text();
  return sumOfMetric(text, name);
}

/** CPU seconds (user + system) a running process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the file, 12 and 13 here; in clock ticks (100/s on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a running process in MiB, from /proc (Linux). */
export function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) / 1024;
}
