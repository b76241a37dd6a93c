/**
 * Discarding endpoints for the capacity run (capacity.ts), so a measurement is the cost of the
 * collector under test and nothing behind it competes for the machine's two cores.
 *
 * A minimal OTLP/gRPC endpoint that accepts every metrics export and discards it: where an agent
 * under measurement (capacity.ts) forwards to, so the measurement is the agent's own cost and no
 * gateway competes with it for the machine's two cores. gRPC over cleartext HTTP/2: each stream's
 * request is read to the end and answered with an empty ExportMetricsServiceResponse and
 * grpc-status 0. What arrived is counted from the agent's own metrics
 * (otelcol_exporter_sent_metric_points), not here.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Http2Server } from 'node:http2';

/** A running sink; `requests` and `bytes` count what it received. */
export interface GrpcSink {
  server: Http2Server;
  requests: number;
  bytes: number;
  close(): Promise<void>;
}

/** Starts the sink on 127.0.0.1:`port`. */
export async function startGrpcSink(port: number): Promise<GrpcSink> {
  const server = createServer();
  const sink: GrpcSink = {
    server,
    requests: 0,
    bytes: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open client sessions would hold close() until they end.
        for (const s of sessions) s.destroy();
      }),
  };
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream) => {
    stream.on('data', (chunk: Buffer) => {
      sink.bytes += chunk.length;
    });
    stream.on('error', () => {});
    stream.on('end', () => {
      sink.requests++;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      // One gRPC message: not compressed, length 0 (an empty response).
      stream.end(Buffer.alloc(5));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return sink;
}

/** A running remote-write sink; `requests` and `bytes` count what it received. */
export interface RemoteWriteSink {
  url: string;
  requests: number;
  bytes: number;
  close(): Promise<void>;
}

/**
 * A Prometheus remote-write endpoint that reads each request to the end and answers 204 without
 * decoding it: where a gateway under measurement writes when its own cost is measured without a
 * store competing for the cores (the store is measured in a run of its own).
 */
export async function startRemoteWriteSink(port: number): Promise<RemoteWriteSink> {
  const server = createHttpServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      sink.bytes += chunk.length;
    });
    req.on('end', () => {
      sink.requests++;
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 65_000;
  const sink: RemoteWriteSink = {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    requests: 0,
    bytes: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return sink;
}
