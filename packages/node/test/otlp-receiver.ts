import { createServer, type Server } from 'node:http';

/** A local OTLP/HTTP receiver: its server, its base URL and every body it kept. */
export interface OtlpReceiver<T> {
  server: Server;
  url: string;
  bodies: T[];
}

/** What an {@link startOtlpReceiver} keeps and how it answers. */
export interface OtlpReceiverOptions<T> {
  /** Keep only bodies posted to this path (e.g. `/v1/traces`); every body when absent. */
  path?: string;
  /**
   * Answer 415 to other paths and to a content type that is not JSON, so an exporter that does not
   * send OTLP/HTTP JSON to `path` fails; otherwise every request gets 200.
   */
  jsonOnly?: boolean;
  /** How a body is kept (`JSON.parse` by default). */
  decode?: (text: string) => T;
}

/** Starts a minimal OTLP/HTTP receiver on a free loopback port (shared by the export tests). */
export function startOtlpReceiver<T = unknown>(options: OtlpReceiverOptions<T> = {}): Promise<OtlpReceiver<T>> {
  const { path, jsonOnly = false, decode = (text: string) => JSON.parse(text) as T } = options;
  const bodies: T[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const wanted = path === undefined || req.url === path;
      if (jsonOnly && !(wanted && req.headers['content-type']?.includes('json'))) {
        res.writeHead(415).end();
        return;
      }
      if (wanted) bodies.push(decode(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, bodies });
    }),
  );
}
