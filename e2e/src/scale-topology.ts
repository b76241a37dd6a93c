import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTierCollector, type TierPorts } from './gateway-tier.js';
import { freePorts, type Service, start } from './processes.js';
import { startThanos, startThanosReceive, type Thanos, type ThanosPorts, type ThanosRuleOptions } from './thanos.js';

/** The `job` label of the scale apps' series (service.namespace/service.name). */
export const SCALE_JOB = 'scale-out/scale-app';

/** What one app recorded for one model (printed by e2e/src/scale-app.mjs at exit). */
export interface ModelTotals {
  calls: number;
  errors: number;
  outputTokens: number;
}
/** Per model name. */
export type AppTotals = Record<string, ModelTotals>;

/** One app process and the agent (0 or 1) it exports to. */
export interface ScaleApp {
  instance: string;
  agent: 0 | 1;
  service: Service;
}

type Pair<T> = [T, T];

/**
 * The running topology: apps -> 2 agents -> 2 gateways -> Thanos. `gateways` and `agents` are
 * replaced in place by {@link ScaleOut.restartGateway} / {@link ScaleOut.restartAgent}.
 */
export interface ScaleOut {
  thanos: Thanos;
  gateways: Pair<Service>;
  agents: Pair<Service>;
  gatewayPorts: Pair<TierPorts>;
  agentPorts: Pair<TierPorts>;
  apps: ScaleApp[];
  /** Apps replaced by {@link ScaleOut.restartApp} (stopped; their totals are in their logs). */
  retired: ScaleApp[];
  /** When both gateways were up (Date.now()), for rates over their lifetime. */
  gatewaysStartedAt: number;
  /** Starts gateway i again on its ports (after it was killed). */
  restartGateway(i: 0 | 1): Promise<Service>;
  /** Starts agent i again on its ports and with its queue directory (after it was killed). */
  restartAgent(i: 0 | 1): Promise<Service>;
  /** Starts Thanos Receive again on its ports and with its TSDB directory (after it was killed). */
  restartReceive(): Promise<Service>;
  /**
   * Instance churn: stops `app` (SIGTERM, final flush), moves it to `retired` and starts a new
   * process in its place, on the same agent, with a new `service.instance.id` (`<old>-r<n>`).
   */
  restartApp(app: ScaleApp): Promise<ScaleApp>;
}

/** Options of {@link startScaleOut}. */
export interface ScaleOutOptions {
  repoRoot: string;
  /** Logs of every process, Thanos' TSDB and the agents' queue directories. */
  workDir: string;
  apps: number;
  /** Models per app (at most 20, the SDK's model-name limit). */
  models: number;
  /** Calls each app records every 100 ms. */
  callsPerTick?: number;
  /** The apps' OTLP export interval. */
  exportIntervalMs?: number;
  /** Also run Thanos Rule on prometheus/rules/*.yml against Thanos Query (off by default). */
  rules?: ThanosRuleOptions;
}

function tierPorts(take: () => number): TierPorts {
  return { grpc: take(), http: take(), health: take(), self: take() };
}

/** The JSON lines an app printed: `{"ready":true}` once running, `{"totals":...}` at exit. */
export function appLines(service: Service): Array<{ ready?: boolean; totals?: AppTotals }> {
  // The log file is opened asynchronously after the process starts.
  if (!existsSync(service.log)) return [];
  return readFileSync(service.log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { ready?: boolean; totals?: AppTotals });
}

/** Waits for an app's ready line; fails at once (not after the timeout) when it exited, e.g. on an unbuilt package. */
async function waitUntilRunning(app: Service): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!appLines(app).some((l) => l.ready)) {
    if (app.process.exitCode !== null) throw new Error(`${app.name} exited (${app.process.exitCode}); see ${app.log}`);
    if (Date.now() > deadline) throw new Error(`${app.name} did not start within 60 s; see ${app.log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts Thanos Receive + Query, two gateways (collector/gateway.yaml, remote write to Receive), two
 * agents (collector/gateway-agent.yaml; agent i forwards to gateway i, its queue on disk under
 * workDir) and the app processes (e2e/src/scale-app.mjs; even ones to agent 0, odd ones to agent
 * 1), all on free loopback ports; resolves when every app is running. Processes are registered
 * with processes.ts, so `stopAll()` stops them.
 */
export async function startScaleOut(options: ScaleOutOptions): Promise<ScaleOut> {
  const { repoRoot, workDir } = options;
  const ports = await freePorts(8 + 4 * 4);
  const take = (): number => {
    const port = ports.shift();
    if (port === undefined) throw new Error('not enough free ports');
    return port;
  };
  const thanosPorts: ThanosPorts = {
    receiveHttp: take(),
    receiveGrpc: take(),
    remoteWrite: take(),
    replication: take(),
    queryHttp: take(),
    queryGrpc: take(),
    ruleHttp: take(),
    ruleGrpc: take(),
  };
  const thanos = await startThanos(repoRoot, thanosPorts, workDir, options.rules);
  const gatewayPorts: Pair<TierPorts> = [tierPorts(take), tierPorts(take)];
  const agentPorts: Pair<TierPorts> = [tierPorts(take), tierPorts(take)];
  const startGateway = (i: 0 | 1) =>
    startTierCollector({
      repoRoot,
      role: 'gateway',
      name: `gateway-${i}`,
      ports: gatewayPorts[i],
      logDir: workDir,
      // Only metrics flow here; the traces and logs exporters point nowhere and stay idle.
      env: { PRW_ENDPOINT: thanos.remoteWriteUrl },
    });
  const startAgent = (i: 0 | 1) =>
    startTierCollector({
      repoRoot,
      role: 'agent',
      name: `agent-${i}`,
      ports: agentPorts[i],
      logDir: workDir,
      env: {
        OTELCOL_GATEWAY_ENDPOINT: `127.0.0.1:${gatewayPorts[i].grpc}`,
        // Outlives the process: a restarted agent reloads its queue from here.
        OTELCOL_QUEUE_DIR: join(workDir, `agent-${i}-queue`),
      },
    });
  const startApp = (instance: string, agent: 0 | 1): ScaleApp => {
    const service = start(instance, process.execPath, [join(repoRoot, 'e2e', 'src', 'scale-app.mjs')], {
      logDir: workDir,
      env: {
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${agentPorts[agent].http}`,
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
        OTEL_METRIC_EXPORT_INTERVAL: String(options.exportIntervalMs ?? 1000),
        OTEL_SERVICE_NAME: 'scale-app',
        OTEL_RESOURCE_ATTRIBUTES: `service.namespace=scale-out,service.instance.id=${instance}`,
        SCALE_CALLS_PER_TICK: String(options.callsPerTick ?? 5),
        SCALE_MODELS: String(options.models),
      },
    });
    return { instance, agent, service };
  };
  const gateways: Pair<Service> = [await startGateway(0), await startGateway(1)];
  const gatewaysStartedAt = Date.now();
  const topology: ScaleOut = {
    thanos,
    gateways,
    gatewaysStartedAt,
    agents: [await startAgent(0), await startAgent(1)],
    gatewayPorts,
    agentPorts,
    apps: [],
    retired: [],
    restartGateway: async (i) => {
      topology.gateways[i] = await startGateway(i);
      return topology.gateways[i];
    },
    restartAgent: async (i) => {
      topology.agents[i] = await startAgent(i);
      return topology.agents[i];
    },
    restartReceive: async () => {
      topology.thanos.receive = await startThanosReceive(repoRoot, thanosPorts, workDir);
      return topology.thanos.receive;
    },
    restartApp: async (old) => {
      await old.service.stop();
      topology.retired.push(old);
      const base = old.instance.replace(/-r\d+$/, '');
      const generation = topology.retired.filter((a) => a.instance === base || a.instance.startsWith(`${base}-r`));
      const app = startApp(`${base}-r${generation.length}`, old.agent);
      topology.apps[topology.apps.indexOf(old)] = app;
      await waitUntilRunning(app.service);
      return app;
    },
  };
  for (let k = 0; k < options.apps; k++) topology.apps.push(startApp(`scale-app-${k}`, k % 2 === 0 ? 0 : 1));
  for (const app of topology.apps) await waitUntilRunning(app.service);
  return topology;
}
