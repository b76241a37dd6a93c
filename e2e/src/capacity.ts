/**
 * `pnpm capacity`: how many data points per second one gateway core and one agent core sustain,
 * their memory under that load, and Thanos Receive's ingest rate; writes e2e/capacity-results.md
 * (method and figures: see capacity-report.ts) and prints a line per step.
 *
 * 1. Captures a real export of the example service (otlp-load-capture.ts).
 * 2. Gateway: one gateway (collector/gateway.yaml, GOMAXPROCS=1, pinned to the last CPU with
 *    taskset when there are 2 or more), loaded over OTLP/gRPC in steps until saturated
 *    (capacity-steps.ts), remote-writing to a discarding sink: the gateway's own capacity.
 * 3. The same with Thanos Receive behind it: the path end to end and the store's ingest.
 * 4. Agent: one agent (collector/gateway-agent.yaml, GOMAXPROCS=1, same pinning) forwarding to a
 *    discarding gRPC sink, loaded over OTLP/HTTP the same way.
 * The load generator, Thanos and the sink stay on CPU 0. Every process is stopped at the end.
 *
 * Variables: CAPACITY_ONLY (gateway | thanos | agent), CAPACITY_STEP_SECONDS (15),
 * CAPACITY_SETTLE_SECONDS (4), CAPACITY_MAX_STEPS (10), CAPACITY_FACTOR (1.5), the first step's
 * points/s CAPACITY_GATEWAY_START (5000), CAPACITY_STORE_START (5000), CAPACITY_AGENT_START
 * (10000); CAPACITY_GATEWAY_EXPORTS (app exports per gateway request; default a full agent batch,
 * 8,192 points); CAPACITY_RESULTS (e2e/capacity-results.md; `-` prints it only).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CapacityReport, INSTANCES_REPLAYED, renderReport } from './capacity-report.js';
import { type StepResult, type StepSubject, type SweepOptions, stepUntilSaturated } from './capacity-steps.js';
import { collectorBinary } from './collector.js';
import { startTierCollector, type TierPorts } from './gateway-tier.js';
import { OtlpLoad } from './otlp-load.js';
import { captureServiceExport } from './otlp-load-capture.js';
import { startGrpcSink, startRemoteWriteSink } from './otlp-load-sink.js';
import type { ExportTemplate } from './otlp-load-template.js';
import { freePorts, stopAll } from './processes.js';
import { startThanosReceive, thanosBinary } from './thanos.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** Points per gateway request: one agent batch (the batch processor's default send_batch_size). */
const AGENT_BATCH_POINTS = 8192;
/** Distinct instances replayed: bounds the series Thanos holds (~900 each). */
const INSTANCE_POOL = INSTANCES_REPLAYED;

/** CPU pinning: the collector on the last CPU, everything else on CPU 0 (when taskset exists). */
const pinning = (() => {
  const n = cpus().length;
  if (n < 2) return undefined;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { collector: n - 1, others: 0 };
})();

/** Pins a running process and all its threads to one CPU (new threads inherit it). */
function pin(pid: number | undefined, cpu: number | undefined): void {
  if (pid === undefined || cpu === undefined) return;
  execFileSync('taskset', ['-apc', String(cpu), String(pid)], { stdio: 'ignore' });
}

function tierPorts(ports: number[]): TierPorts {
  const [grpc, http, health, self] = ports as [number, number, number, number];
  return { grpc, http, health, self };
}

function sweepOptions(label: string, startRate: number): SweepOptions {
  return {
    label,
    startRate,
    factor: env('CAPACITY_FACTOR', 1.5),
    maxSteps: env('CAPACITY_MAX_STEPS', 10),
    settleMs: env('CAPACITY_SETTLE_SECONDS', 4) * 1000,
    windowMs: env('CAPACITY_STEP_SECONDS', 15) * 1000,
  };
}

/**
 * One gateway loaded in steps. `backEnd` 'sink': remote write to a discarding endpoint (the
 * gateway's own capacity); 'thanos': to Thanos Receive (the path end to end, and the store's
 * ingest rate and CPU).
 */
async function gatewaySweep(
  template: ExportTemplate,
  workDir: string,
  backEnd: 'sink' | 'thanos',
): Promise<{ steps: StepResult[]; pointsPerRequest: number }> {
  const ports = await freePorts(11);
  const [receiveHttp, receiveGrpc, remoteWrite, replication, queryHttp, queryGrpc, sinkPort] = ports as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  let store: StepSubject['store'];
  let prwEndpoint: string;
  let stopBackEnd: () => Promise<void>;
  if (backEnd === 'thanos') {
    const receive = await startThanosReceive(
      repoRoot,
      { receiveHttp, receiveGrpc, remoteWrite, replication, queryHttp, queryGrpc },
      workDir,
    );
    pin(receive.process.pid, pinning?.others);
    store = { service: receive, url: `http://127.0.0.1:${receiveHttp}` };
    prwEndpoint = `http://127.0.0.1:${remoteWrite}/api/v1/receive`;
    stopBackEnd = () => receive.stop();
  } else {
    const sink = await startRemoteWriteSink(sinkPort);
    prwEndpoint = sink.url;
    stopBackEnd = async () => {
      console.log(
        `gateway: the sink received ${sink.requests} remote-write requests (${Math.round(sink.bytes / 1e6)} MB)`,
      );
      await sink.close();
    };
  }
  const label = `gateway -> ${backEnd === 'thanos' ? 'Thanos' : 'sink'}`;
  const gwPorts = tierPorts(ports.slice(7));
  const gateway = await startTierCollector({
    repoRoot,
    role: 'gateway',
    name: `gateway-${backEnd}`,
    ports: gwPorts,
    logDir: workDir,
    env: { PRW_ENDPOINT: prwEndpoint, GOMAXPROCS: '1' },
  });
  pin(gateway.process.pid, pinning?.collector);
  const load = new OtlpLoad(template, {
    target: { protocol: 'grpc', port: gwPorts.grpc },
    exportsPerRequest: env('CAPACITY_GATEWAY_EXPORTS', Math.max(1, Math.floor(AGENT_BATCH_POINTS / template.points))),
    instancePool: INSTANCE_POOL,
    maxInFlight: 16,
  });
  console.log(`${label}: pid ${gateway.process.pid}, ${load.pointsPerRequest} points per OTLP/gRPC request`);
  try {
    const steps = await stepUntilSaturated(
      { collector: gateway, selfPort: gwPorts.self, store },
      load,
      sweepOptions(label, env(backEnd === 'thanos' ? 'CAPACITY_STORE_START' : 'CAPACITY_GATEWAY_START', 5000)),
    );
    return { steps, pointsPerRequest: load.pointsPerRequest };
  } finally {
    await load.stop();
    await gateway.stop();
    await stopBackEnd();
  }
}

async function agentSweep(
  template: ExportTemplate,
  workDir: string,
): Promise<{ steps: StepResult[]; pointsPerRequest: number }> {
  const ports = await freePorts(5);
  const sink = await startGrpcSink(ports[4] as number);
  const agentPorts = tierPorts(ports);
  const agent = await startTierCollector({
    repoRoot,
    role: 'agent',
    name: 'agent',
    ports: agentPorts,
    logDir: workDir,
    env: {
      OTELCOL_GATEWAY_ENDPOINT: `127.0.0.1:${ports[4]}`,
      OTELCOL_QUEUE_DIR: join(workDir, 'agent-queue'),
      GOMAXPROCS: '1',
    },
  });
  pin(agent.process.pid, pinning?.collector);
  const load = new OtlpLoad(template, {
    target: { protocol: 'http', port: agentPorts.http },
    exportsPerRequest: 1,
    instancePool: INSTANCE_POOL,
    maxInFlight: 128,
  });
  console.log(`agent: pid ${agent.process.pid}, ${load.pointsPerRequest} points per OTLP/HTTP request`);
  try {
    const steps = await stepUntilSaturated(
      { collector: agent, selfPort: agentPorts.self },
      load,
      sweepOptions('agent', env('CAPACITY_AGENT_START', 10000)),
    );
    console.log(`agent: the sink received ${sink.requests} gRPC requests (${Math.round(sink.bytes / 1e6)} MB)`);
    return { steps, pointsPerRequest: load.pointsPerRequest };
  } finally {
    await load.stop();
    await agent.stop();
    await sink.close();
  }
}

/** The first line a `--version` printed (Thanos prints it on stderr). */
function versionOf(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0]?.trim() || `${command}: ?`;
}

async function main(): Promise<void> {
  const only = process.env.CAPACITY_ONLY;
  const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-capacity-'));
  console.log(`capacity run; process logs in ${workDir}`);
  pin(process.pid, pinning?.others);
  console.log(
    pinning
      ? `pinning: collector under test on CPU ${pinning.collector}; load generator, Thanos and sink on CPU ${pinning.others}`
      : 'pinning: none (one CPU, or no taskset)',
  );
  console.log('capturing a real export of the example service (2 providers x 3 models) ...');
  const template = await captureServiceExport(repoRoot, workDir);
  console.log(
    `template: ${template.points} data points, ${template.samples} store samples, ${template.body.length} bytes`,
  );

  const report: CapacityReport = {
    date: new Date()
      .toISOString()
      .replace(/\.\d+Z$/, ' UTC')
      .replace('T', ' '),
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform}; shared with other work while measured`,
    versions: [
      `${versionOf(collectorBinary(repoRoot), ['--version'])} (collector core v0.165.0, contrib v0.165.1)`,
      versionOf(thanosBinary(repoRoot), ['--version']),
      `Node.js ${process.version}`,
    ],
    pinning: pinning
      ? `collector under test alone on CPU ${pinning.collector} (taskset) with GOMAXPROCS=1; load generator, Thanos Receive and the sink on CPU ${pinning.others}`
      : 'none',
    template,
  };
  if (only === undefined || only === 'gateway') report.gateway = await gatewaySweep(template, workDir, 'sink');
  if (only === undefined || only === 'thanos') report.store = await gatewaySweep(template, workDir, 'thanos');
  if (only === undefined || only === 'agent') report.agent = await agentSweep(template, workDir);

  const markdown = renderReport(report);
  const target = process.env.CAPACITY_RESULTS ?? join(repoRoot, 'e2e', 'capacity-results.md');
  if (target === '-') console.log(markdown);
  else {
    writeFileSync(target, markdown);
    console.log(`results written to ${target}`);
  }
  await stopAll();
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
