import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Random } from './random.js';

/** How the simulated model behaves. Times are in milliseconds. */
export interface SimulationProfile {
  /** Median time to the first token; drawn log-normally. */
  firstTokenMedianMs: number;
  /** Median time per output token after the first. */
  perTokenMedianMs: number;
  /** Median prompt and completion sizes, in tokens. */
  promptTokensMedian: number;
  completionTokensMedian: number;
  /** Share of requests answered with 429 and with 500. */
  rateLimitRate: number;
  serverErrorRate: number;
  seed: number;
}

export const DEFAULT_PROFILE: SimulationProfile = {
  firstTokenMedianMs: 120,
  perTokenMedianMs: 4,
  promptTokensMedian: 180,
  completionTokensMedian: 60,
  rateLimitRate: 0.04,
  serverErrorRate: 0.03,
  seed: 7,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function sendError(res: ServerResponse, status: number, openai: boolean): void {
  const message = status === 429 ? 'Rate limit reached, slow down' : 'The model crashed while answering';
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify(
      openai
        ? { error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', code: null } }
        : { error: message },
    ),
  );
}

/**
 * An HTTP server that answers like an LLM: the OpenAI chat completions wire format (JSON and SSE
 * with a usage chunk) at `/v1/chat/completions`, and Ollama's `/api/chat` (JSON and NDJSON with its
 * counters). Latency and token counts are drawn from log-normal distributions; some requests fail
 * with 429 or 500. No network, no model, no API key.
 */
export class SimulatedModelServer {
  private server: Server | undefined;
  private readonly random: Random;
  private readonly profile: SimulationProfile;
  /** Extra delay added to every response (to simulate a degraded model). */
  extraDelayMs = 0;

  constructor(profile: Partial<SimulationProfile> = {}) {
    this.profile = { ...DEFAULT_PROFILE, ...profile };
    this.random = new Random(this.profile.seed);
  }

  /** Starts listening on 127.0.0.1 (port 0: a free one) and returns the base URL. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private draw() {
    const p = this.profile;
    return {
      promptTokens: this.random.count(p.promptTokensMedian, 0.6, 1, 100_000),
      completionTokens: this.random.count(p.completionTokensMedian, 0.7, 1, 4096),
      firstTokenMs: this.random.logNormal(p.firstTokenMedianMs, 0.5) + this.extraDelayMs,
      perTokenMs: this.random.logNormal(p.perTokenMedianMs, 0.3),
    };
  }

  private failure(): number | undefined {
    if (this.random.chance(this.profile.rateLimitRate)) return 429;
    if (this.random.chance(this.profile.serverErrorRate)) return 500;
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && (req.url === '/v1/models' || req.url === '/api/version')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.url === '/api/version' ? { version: '0.6.0-sim' } : { object: 'list', data: [] }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const body = await readJson(req);
    const model = typeof body.model === 'string' ? body.model : 'unknown';
    const openai = req.url === '/v1/chat/completions';
    if (!openai && req.url !== '/api/chat') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const status = this.failure();
    const draw = this.draw();
    await sleep(draw.firstTokenMs);
    if (status !== undefined) return sendError(res, status, openai);
    const stream = openai ? body.stream === true : body.stream !== false;
    if (openai) await this.answerOpenAI(res, model, stream, draw);
    else await this.answerOllama(res, model, stream, draw);
  }

  private async answerOpenAI(
    res: ServerResponse,
    model: string,
    stream: boolean,
    d: ReturnType<SimulatedModelServer['draw']>,
  ) {
    const id = `chatcmpl-sim${Math.floor(this.random.next() * 1e9)}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = {
      prompt_tokens: d.promptTokens,
      completion_tokens: d.completionTokens,
      total_tokens: d.promptTokens + d.completionTokens,
    };
    const responseModel = `${model}-sim-2025`;
    if (!stream) {
      await sleep(d.perTokenMs * (d.completionTokens - 1));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: responseModel,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'word '.repeat(d.completionTokens).trim() },
              finish_reason: 'stop',
            },
          ],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: responseModel, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    res.write(chunk({ role: 'assistant', content: '' }, null));
    for (let i = 0; i < d.completionTokens; i++) {
      if (i > 0) await sleep(d.perTokenMs);
      res.write(chunk({ content: 'word ' }, null));
    }
    res.write(chunk({}, 'stop'));
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: responseModel, choices: [], usage })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  }

  private async answerOllama(
    res: ServerResponse,
    model: string,
    stream: boolean,
    d: ReturnType<SimulatedModelServer['draw']>,
  ) {
    const counters = (totalMs: number) => ({
      done: true,
      done_reason: 'stop',
      total_duration: Math.round(totalMs * 1e6),
      load_duration: 1_000_000,
      prompt_eval_count: d.promptTokens,
      prompt_eval_duration: Math.round(d.firstTokenMs * 0.8 * 1e6),
      eval_count: d.completionTokens,
      eval_duration: Math.round(d.perTokenMs * d.completionTokens * 1e6),
    });
    const base = () => ({ model, created_at: new Date().toISOString() });
    if (!stream) {
      await sleep(d.perTokenMs * (d.completionTokens - 1));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base(),
          message: { role: 'assistant', content: 'word '.repeat(d.completionTokens).trim() },
          ...counters(d.firstTokenMs + d.perTokenMs * d.completionTokens),
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (let i = 0; i < d.completionTokens; i++) {
      if (i > 0) await sleep(d.perTokenMs);
      res.write(`${JSON.stringify({ ...base(), message: { role: 'assistant', content: 'word ' }, done: false })}\n`);
    }
    res.end(
      `${JSON.stringify({ ...base(), message: { role: 'assistant', content: '' }, ...counters(d.firstTokenMs + d.perTokenMs * d.completionTokens) })}\n`,
    );
  }
}
