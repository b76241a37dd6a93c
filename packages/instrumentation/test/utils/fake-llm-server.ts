import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleOllama } from './ollama-wire.js';
import { handleOpenAI } from './openai-wire.js';
import { scenarioOf, sleep } from './scenario.js';

/** One request the fake server received. */
export interface ReceivedRequest {
  path: string;
  body: Record<string, unknown>;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * A local HTTP server that speaks the OpenAI REST wire format (`/v1/chat/completions`,
 * `/v1/completions`, `/v1/embeddings`, `/v1/responses`: JSON, SSE with usage chunks, error bodies) and
 * the Ollama one (`/api/chat`, `/api/generate`, `/api/embed`, `/api/embeddings`: JSON and NDJSON
 * streams with Ollama's counters). What it does for a request is chosen by the model name
 * (see scenario.ts). Listens on 127.0.0.1 only.
 */
export class FakeLlmServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor() {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The OpenAI base URL: `http://127.0.0.1:<port>/v1`. */
  get openaiBaseURL(): string {
    return `${this.origin}/v1`;
  }

  lastRequest(): ReceivedRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const body = await readBody(req);
      this.requests.push({ path, body });
      const scenario = scenarioOf(body.model);
      if (scenario.headersDelayMs > 0) await sleep(scenario.headersDelayMs);
      const handled =
        (await handleOpenAI(path, body, req, res, scenario)) || (await handleOllama(path, body, req, res, scenario));
      if (!handled) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${path}` } }));
      }
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    }
  }
}
