/**
 * Smoke test of the capacity run's parts (e2e/src/capacity.ts; the run itself is `pnpm capacity`,
 * minutes long, not part of the test suite): a real export of the example service is captured and
 * read as a template; replays carry the new instance id and time where the template says; a real
 * agent (collector/gateway-agent.yaml) accepts and forwards every point the load generator sends
 * over OTLP/gRPC (two exports per request) and over OTLP/HTTP, to the discarding gRPC sink.
 *
 * Needs `pnpm collector:build` and the workspace build.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfMetric, startTierCollector, type TierPorts } from '../src/gateway-tier.js';
import { OtlpLoad } from '../src/otlp-load.js';
import { captureServiceExport } from '../src/otlp-load-capture.js';
import { type GrpcSink, startGrpcSink } from '../src/otlp-load-sink.js';
import {
  type ExportTemplate,
  instanceExport,
  PLACEHOLDER_INSTANCE,
  parseExportTemplate,
  replayInstanceId,
} from '../src/otlp-load-template.js';
import { eventually, freePorts, type Service, stopAll } from '../src/processes.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-capacity-smoke-'));

let template: ExportTemplate;
let agent: Service;
let agentPorts: TierPorts;
let sink: GrpcSink;

beforeAll(async () => {
  template = await captureServiceExport(repoRoot, workDir);
  const [grpc, http, health, self, sinkPort] = (await freePorts(5)) as [number, number, number, number, number];
  agentPorts = { grpc, http, health, self };
  sink = await startGrpcSink(sinkPort);
  agent = await startTierCollector({
    repoRoot,
    role: 'agent',
    name: 'agent',
    ports: agentPorts,
    logDir: workDir,
    env: { OTELCOL_GATEWAY_ENDPOINT: `127.0.0.1:${sinkPort}`, OTELCOL_QUEUE_DIR: join(workDir, 'agent-queue') },
  });
}, 90_000);

afterAll(async () => {
  await stopAll();
  await sink?.close();
});

describe('capacity run parts', () => {
  it('reads the example service export: histograms with their buckets, counters, gauges', () => {
    const byName = new Map(template.metrics.map((m) => [m.name, m]));
    const latency = byName.get('llm_inference_latency_seconds');
    expect(latency?.kind).toBe('histogram');
    // 6 models, each with at least one series; a histogram point is buckets + _sum + _count samples.
    expect(latency?.points).toBeGreaterThanOrEqual(6);
    expect((latency?.samples ?? 0) / (latency?.points ?? 1)).toBeGreaterThan(3);
    expect(byName.get('llm_token_generation_rate_total')?.kind).toBe('sum');
    expect(byName.get('llm_model_up')?.kind).toBe('gauge');
    expect(template.timeOffsets).toHaveLength(template.points);
    expect(template.startTimeOffsets).toHaveLength(template.points);
  });

  it('writes the instance id and times of a replay where the template has them', () => {
    const id = replayInstanceId(42);
    const replay = instanceExport(template, id, 1_000_000_000n, 2_000_000_000n);
    const reread = parseExportTemplate(replay, id);
    expect(reread.points).toBe(template.points);
    for (const at of reread.timeOffsets) expect(replay.readBigUInt64LE(at)).toBe(2_000_000_000n);
    for (const at of reread.startTimeOffsets) expect(replay.readBigUInt64LE(at)).toBe(1_000_000_000n);
    // The template itself is unchanged.
    expect(parseExportTemplate(template.body, PLACEHOLDER_INSTANCE).points).toBe(template.points);
    expect(() => instanceExport(template, 'short', 0n, 0n)).toThrow(/bytes long/);
  });

  it.each([
    ['grpc', 2],
    ['http', 1],
  ] as const)('a real agent accepts and forwards every point sent over %s', async (protocol, exportsPerRequest) => {
    const before = await selfMetric(agentPorts.self, 'otelcol_receiver_accepted_metric_points');
    const sentBefore = await selfMetric(agentPorts.self, 'otelcol_exporter_sent_metric_points');
    const load = new OtlpLoad(template, {
      target: { protocol, port: protocol === 'grpc' ? agentPorts.grpc : agentPorts.http },
      exportsPerRequest,
      instancePool: 10,
      maxInFlight: 4,
    });
    load.setRate(template.points * exportsPerRequest * 10);
    await new Promise((r) => setTimeout(r, 1500));
    await load.stop();
    expect(load.stats.requestsFailed).toBe(0);
    expect(load.stats.requestsOk).toBeGreaterThan(0);
    expect(load.stats.pointsOk).toBe(load.stats.requestsOk * template.points * exportsPerRequest);
    const accepted = (await selfMetric(agentPorts.self, 'otelcol_receiver_accepted_metric_points')) - before;
    expect(accepted).toBe(load.stats.pointsOk);
    // Forwarded to the sink once the batch processor flushed (200 ms).
    await eventually('the agent to forward every point', 10_000, async () => {
      const sent = (await selfMetric(agentPorts.self, 'otelcol_exporter_sent_metric_points')) - sentBefore;
      return sent === accepted ? sent : undefined;
    });
    expect(sink.requests).toBeGreaterThan(0);
  });
});
