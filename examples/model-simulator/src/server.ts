import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as ollama from './ollama-wire.js';
import * as openai from './openai-wire.js';
import { DEFAULT_PROFILE, type Draw, drawAnswer, type SimulationProfile } from './profile.js';
import { Random } from './random.js';

type Handler = (res: ServerResponse, body: Record<string, unknown>, d: Draw) => Promise<void>;

const ROUTES: Record<string, { api: 'openai' | 'ollama'; handle: Handler }> = {
  '/v1/chat/completions': { api: 'openai', handle: openai.chatCompletion },
  '/v1/completions': { api: 'openai', handle: openai.textCompletion },
  '/v1/embeddings': { api: 'openai', handle: openai.embeddings },
  '/v1/responses': { api: 'openai', handle: openai.response },
  '/api/chat': { api: 'ollama', handle: ollama.chat },
  '/api/generate': { api: 'ollama', handle: ollama.generate },
  '/api/embed': { api: 'ollama', handle: ollama.embed },
  '/api/embeddings': { api: 'ollama', handle: (res) => ollama.legacyEmbeddings(res) },
};

/** What the simulator answered, per route and model: the ground truth tests compare metrics with. */
export interface SimulatorLedger {
  requests: number;
  failures: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
}

/**
 * An HTTP server that answers like an LLM service, for demos, end-to-end tests and benchmarks: the
 * OpenAI REST API (`/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`, `/v1/responses`,
 * `/v1/models`; JSON and SSE) and Ollama's (`/api/chat`, `/api/generate`, `/api/embed`,
 * `/api/embeddings`, `/api/version`; JSON and NDJSON with its counters). Latency and token counts
 * are drawn from log-normal distributions; some requests fail with 429 or 500. No model, no network.
 */
export class ModelSimulator {
  private server: Server | undefined;
  private readonly random: Random;
  readonly profile: SimulationProfile;
  /** Extra delay before the first token of every answer (a degraded model). */
  extraDelayMs = 0;
  /** Forces every request to fail with this status (e.g. 500), or none when undefined. */
  failWith: number | undefined;
  /** Per `route model` key: what was answered. */
  readonly ledger = new Map<string, SimulatorLedger>();
  private readonly modelProfiles = new Map<string, SimulationProfile>();

  constructor(profile: Partial<SimulationProfile> = {}) {
    this.profile = { ...DEFAULT_PROFILE, ...profile };
    this.random = new Random(this.profile.seed);
  }

  /** Listens on 127.0.0.1 (port 0: a free one); returns the base URL, e.g. `http://127.0.0.1:41234`. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
        else res.destroy();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const address = server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Changes how one model answers (e.g. a new version that writes longer answers); other models
   * keep the base profile.
   */
  setModelProfile(model: string, profile: Partial<SimulationProfile>): void {
    this.modelProfiles.set(model, { ...this.profile, ...this.modelProfiles.get(model), ...profile });
  }

  /** Totals over every route and model. */
  totals(): SimulatorLedger {
    const total: SimulatorLedger = { requests: 0, failures: {}, promptTokens: 0, completionTokens: 0 };
    for (const l of this.ledger.values()) {
      total.requests += l.requests;
      total.promptTokens += l.promptTokens;
      total.completionTokens += l.completionTokens;
      for (const [k, v] of Object.entries(l.failures)) total.failures[k] = (total.failures[k] ?? 0) + v;
    }
    return total;
  }

  private entry(key: string): SimulatorLedger {
    let l = this.ledger.get(key);
    if (!l) {
      l = { requests: 0, failures: {}, promptTokens: 0, completionTokens: 0 };
      this.ledger.set(key, l);
    }
    return l;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [] }));
      return;
    }
    if (req.method === 'GET' && path === '/api/version') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: '0.6.0-sim' }));
      return;
    }
    const route = ROUTES[path];
    if (!route || req.method !== 'POST') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `no route ${req.method} ${path}` }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const ledger = this.entry(`${path} ${String(body.model)}`);
    ledger.requests++;
    const profile = this.modelProfiles.get(String(body.model)) ?? this.profile;
    const draw = drawAnswer(this.random, profile, this.extraDelayMs);
    const status =
      this.failWith ??
      (this.random.chance(this.profile.rateLimitRate)
        ? 429
        : this.random.chance(this.profile.serverErrorRate)
          ? 500
          : undefined);
    await new Promise((r) => setTimeout(r, draw.firstTokenMs));
    if (status !== undefined) {
      ledger.failures[status] = (ledger.failures[status] ?? 0) + 1;
      if (route.api === 'openai') openai.openAIError(res, status);
      else ollama.ollamaError(res, status);
      return;
    }
    ledger.promptTokens += draw.promptTokens;
    if (!path.includes('embed')) ledger.completionTokens += draw.completionTokens;
    await route.handle(res, body, draw);
  }
}
