import { createServer, type Server } from 'node:http';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../src/config.js';
import { LazyOtlpExporter } from '../src/lazy-otlp-exporter.js';
import { freePort } from './helpers.js';

type OtlpConfig = Exclude<ResolvedConfig['otlp'], false>;

class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Some real metric data to export. */
async function sample(): Promise<ResourceMetrics> {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  provider.getMeter('test').createCounter('lazy_test_total').add(3);
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

function exportOnce(exporter: LazyOtlpExporter, data: ResourceMetrics): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(data, resolve));
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
  metrics.disable();
});

describe('LazyOtlpExporter', () => {
  it('loads the protobuf exporter on demand and delivers through it', async () => {
    const contentTypes: string[] = [];
    server = createServer((req, res) => {
      contentTypes.push(String(req.headers['content-type']));
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const config: OtlpConfig = {
      url: `http://127.0.0.1:${port}/v1/metrics`,
      protocol: 'http/protobuf',
      intervalMs: 60_000,
      timeoutMs: 5_000,
      temporalityPreference: 'cumulative',
    };
    const exporter = new LazyOtlpExporter(config);
    const result = await exportOnce(exporter, await sample());
    await exporter.shutdown();
    expect(result.code).toBe(0);
    expect(contentTypes).toEqual(['application/x-protobuf']);
  });

  it('reports a failed export (not a hang, not a throw) when the gRPC collector is unreachable', async () => {
    const config: OtlpConfig = {
      url: `http://127.0.0.1:${await freePort()}`,
      protocol: 'grpc',
      intervalMs: 60_000,
      timeoutMs: 1_000,
      temporalityPreference: 'delta',
    };
    const exporter = new LazyOtlpExporter(config);
    const result = await exportOnce(exporter, await sample());
    expect(result.code).toBe(1);
    await exporter.shutdown();
  });
});
