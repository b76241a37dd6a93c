// What the MLflow span exporter puts on the wire: OTLP protobuf to {tracking}/v1/traces with the
// experiment header and MLflow's auth, and none of the OTLP exporter headers meant for the collector.
// A local HTTP server stands in for MLflow here only to see the request headers (the real server's
// ingestion is tested in packages/mlflow/test/traces.test.ts).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { getLlmMetrics } from '@llm-otel/core';
import { metrics, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../src/index.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const received: Received[] = [];
let server: Server;
let base: string;
const VARIABLES = [
  'MLFLOW_TRACKING_URI',
  'MLFLOW_EXPERIMENT_ID',
  'MLFLOW_TRACKING_TOKEN',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
] as const;
const saved = Object.fromEntries(VARIABLES.map((key) => [key, process.env[key]]));

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/mlflow`;
});

afterAll(async () => {
  for (const key of VARIABLES) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await new Promise((resolve) => server.close(resolve));
});

describe('the MLflow span exporter on the wire', () => {
  it('posts OTLP protobuf to {tracking}/v1/traces with the experiment id and the bearer token only', async () => {
    process.env.MLFLOW_TRACKING_URI = base; // with a path prefix, as behind a proxy
    process.env.MLFLOW_EXPERIMENT_ID = '7';
    process.env.MLFLOW_TRACKING_TOKEN = 'mlflow-token';
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-collector-key=collector-secret';
    process.env.OTEL_EXPORTER_OTLP_TRACES_HEADERS = 'x-traces-key=traces-secret';
    const handle = register({ prometheus: false, mlflow: { traces: true } });
    try {
      await handle.ready;
      getLlmMetrics().recordInference({
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o-mini',
        durationSeconds: 0.5,
        inputTokens: 12,
        outputTokens: 5,
      });
      await handle.forceFlush();
      const posts = await vi.waitFor(() => {
        const found = received.filter((r) => r.url === '/mlflow/v1/traces');
        expect(found).toHaveLength(1);
        return found;
      });
      const [post] = posts as [Received];
      expect(post.method).toBe('POST');
      expect(post.headers['content-type']).toBe('application/x-protobuf');
      expect(post.headers['x-mlflow-experiment-id']).toBe('7');
      expect(post.headers.authorization).toBe('Bearer mlflow-token');
      expect(post.headers['x-collector-key']).toBeUndefined();
      expect(post.headers['x-traces-key']).toBeUndefined();
      // Protobuf keeps strings as UTF-8: the span's name and model are in the body.
      expect(post.body.includes('chat gpt-4o-mini')).toBe(true);
    } finally {
      await handle.shutdown();
      metrics.disable();
      trace.disable();
    }
  });
});
