import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Answer, type Operation, sleep } from './answer.js';
import * as anthropic from './anthropic-wire.js';
import * as bedrock from './bedrock-wire.js';
import * as gemini from './gemini-wire.js';
import * as ollama from './ollama-wire.js';
import * as openai from './openai-wire.js';
import { DEFAULT_PROFILE, drawAnswer, drawnAnswer, type SimulationProfile } from './profile.js';
import { Random } from './random.js';
import { type RateLimitSettings, RateLimitWindows } from './rate-limits.js';
import { parseScript, SCRIPT_HEADER, SCRIPTED_REQUEST_ID, scriptedAnswer } from './script.js';

type Handler = (res: ServerResponse, body: Record<string, unknown>, a: Answer) => Promise<void>;

const OLLAMA_ROUTES: Record<string, { operation: Operation; handle: Handler }> = {
  '/api/chat': { operation: 'ollama.chat', handle: ollama.chat },
  '/api/generate': { operation: 'ollama.generate', handle: ollama.generate },
  '/api/embed': { operation: 'ollama.embed', handle: ollama.embed },
  '/api/embeddings': { operation: 'ollama.embeddings', handle: (res) => ollama.legacyEmbeddings(res) },
};

const OPENAI_HANDLERS: Record<string, { operation: Operation; handle: Handler }> = {
  'chat/completions': { operation: 'chat', handle: openai.chatCompletion },
  completions: { operation: 'completions', handle: openai.textCompletion },
  embeddings: { operation: 'embeddings', handle: openai.embeddings },
  responses: { operation: 'responses', handle: openai.response },
};

const ANTHROPIC_ROUTES: Record<string, { operation: Operation; handle: Handler }> = {
  '/v1/messages': { operation: 'anthropic.messages', handle: anthropic.messages },
  '/v1/messages/count_tokens': { operation: 'anthropic.count_tokens', handle: anthropic.countTokens },
};

type Api = 'openai' | 'ollama' | 'anthropic' | 'bedrock' | 'gemini';

/** Bedrock Runtime's actions (`/model/{modelId}/<action>`); their answers are counted like Anthropic messages. */
const BEDROCK_ROUTES: Record<
  string,
  (res: ServerResponse, body: Record<string, unknown>, a: Answer, modelId: string) => Promise<void>
> = {
  converse: bedrock.converse,
  'converse-stream': bedrock.converseStream,
  invoke: bedrock.invoke,
  'invoke-with-response-stream': bedrock.invokeStream,
};

/**
 * The route of a POST path: Ollama's `/api/...`, Anthropic's `/v1/messages` (and its
 * `count_tokens`), or an OpenAI operation at the end of the path (`/v1/chat/completions`, or Azure's
 * `/openai/deployments/<name>/chat/completions`).
 */
function routeOf(path: string): { api: Api; operation: Operation; handle: Handler; model?: string } | undefined {
  const bedrockPath = bedrock.bedrockModelOfPath(path);
  const bedrockRoute = bedrockPath === undefined ? undefined : BEDROCK_ROUTES[bedrockPath.action];
  if (bedrockPath !== undefined && bedrockRoute !== undefined) {
    const { modelId } = bedrockPath;
    return {
      api: 'bedrock',
      operation: 'anthropic.messages',
      model: modelId,
      handle: (res, body, a) => bedrockRoute(res, body, a, modelId),
    };
  }
  const ollamaRoute = OLLAMA_ROUTES[path];
  if (ollamaRoute !== undefined) return { api: 'ollama', ...ollamaRoute };
  const anthropicRoute = ANTHROPIC_ROUTES[path];
  if (anthropicRoute !== undefined) return { api: 'anthropic', ...anthropicRoute };
  if (path.startsWith('/api/')) return undefined;
  // Gemini names the model in the path too (`/v1beta/models/{model}:generateContent`).
  const geminiRoute = gemini.geminiRoute(path);
  if (geminiRoute !== undefined) {
    const embeds = geminiRoute.method === 'embedContent' || geminiRoute.method === 'batchEmbedContents';
    return {
      api: 'gemini',
      operation: embeds ? 'embeddings' : 'chat',
      model: geminiRoute.model,
      handle: embeds
        ? (res, body, a) => gemini.embedContent(res, geminiRoute, body, a)
        : (res, body, a) => gemini.generateContent(res, geminiRoute, body, a),
    };
  }
  for (const suffix of ['chat/completions', 'completions', 'embeddings', 'responses']) {
    if (path.endsWith(`/${suffix}`))
      return { api: 'openai', ...(OPENAI_HANDLERS[suffix] as (typeof OPENAI_HANDLERS)[string]) };
  }
  return undefined;
}

/** What the simulator answered, per route and model: the ground truth tests compare metrics with. */
export interface SimulatorLedger {
  requests: number;
  failures: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  /** Of the prompt tokens, reported as cached; of the completion tokens, reported as reasoning. */
  cachedTokens: number;
  reasoningTokens: number;
  /** Of the prompt tokens, reported as written to the cache (Anthropic `cache_creation_input_tokens`). */
  cacheWriteTokens: number;
}

/** One request the simulator received (kept in scripted mode, for tests that check what was sent). */
export interface ReceivedRequest {
  path: string;
  body: Record<string, unknown>;
}

/** Options of {@link ModelSimulator} besides its profile. */
export interface SimulatorOptions {
  /**
   * Scripted mode, for tests of exact scenarios: every answer has the same text and token counts,
   * and what happens (status codes, slow first byte, delays, cut or held streams, reasoning) is
   * written in the model name (see script.ts). The profile's random draws are not used.
   */
  scripted?: boolean;
  /** The clock of the rate-limit windows, in ms (default `Date.now`). */
  clock?: () => number;
}

/** Rate limits of scripted mode: high enough that no test reaches them unless it sets lower ones. */
export const SCRIPTED_RATE_LIMITS: RateLimitSettings = { requestsPerMinute: 10_000, tokensPerMinute: 2_000_000 };

/** Distinct prompts remembered (random mode) to report a cached share when one comes again. */
const MAX_REMEMBERED_PROMPTS = 1000;

/** Received requests kept in scripted mode (the latest ones). */
const MAX_KEPT_REQUESTS = 100;

/**
 * An HTTP server that answers like an LLM service, for demos, end-to-end tests, benchmarks and the
 * instrumentation tests: the OpenAI REST API (`/v1/chat/completions`, `/v1/completions`,
 * `/v1/embeddings`, `/v1/responses`, `/v1/models`, and Azure's deployment paths; JSON and SSE),
 * Anthropic's Messages API (`/v1/messages`, `/v1/messages/count_tokens`; JSON and SSE, its error
 * bodies, 529 overloaded, `anthropic-ratelimit-*` headers), the Gemini API's
 * (`.../models/{model}:generateContent`, `:streamGenerateContent`, `:embedContent`,
 * `:batchEmbedContents`; JSON and SSE with `usageMetadata`) and Ollama's (`/api/chat`, `/api/generate`, `/api/embed`, `/api/embeddings`, `/api/version`; JSON and
 * NDJSON with its counters). By default latency and token counts are drawn from log-normal
 * distributions and some requests fail with 429 or 500; in scripted mode the model name says what
 * happens. No model, no network. One wire layer serves both modes.
 */
export class ModelSimulator {
  private server: Server | undefined;
  private readonly random: Random;
  readonly profile: SimulationProfile;
  readonly scripted: boolean;
  /** Extra delay before the first token of every answer (a degraded model). */
  extraDelayMs = 0;
  /** Forces every request to fail with this status (e.g. 500), or none when undefined. */
  failWith: number | undefined;
  /**
   * Headers set on every OpenAI and Anthropic answer, successes and errors, over the simulated ones (rate limits,
   * `retry-after`, `retry-after-ms`): a string replaces or adds a header, `null` removes it (e.g.
   * malformed or missing rate-limit headers). Content type and request id stay.
   */
  headerOverrides: Record<string, string | null> | undefined;
  /** Per `route model` key: what was answered. */
  readonly ledger = new Map<string, SimulatorLedger>();
  /** Scripted mode: the latest requests received, oldest first. */
  readonly requests: ReceivedRequest[] = [];
  private readonly modelProfiles = new Map<string, SimulationProfile>();
  private requestWaiters: Array<(request: ReceivedRequest) => void> = [];
  private origin_: string | undefined;
  private readonly clock: () => number;
  private rateLimits: RateLimitWindows | undefined;
  /** The Anthropic account's windows (its own, with the same settings). */
  private anthropicLimits: RateLimitWindows | undefined;
  private readonly prompts = new Set<string>();

  constructor(profile: Partial<SimulationProfile> = {}, options: SimulatorOptions = {}) {
    this.profile = { ...DEFAULT_PROFILE, ...profile };
    this.random = new Random(this.profile.seed);
    this.scripted = options.scripted === true;
    this.clock = options.clock ?? Date.now;
    this.setRateLimits(
      this.scripted
        ? SCRIPTED_RATE_LIMITS
        : { requestsPerMinute: this.profile.requestsPerMinute, tokensPerMinute: this.profile.tokensPerMinute },
    );
  }

  /**
   * Sets the rate limits of the OpenAI and the Anthropic account (new, full windows, one set per
   * API), or removes them (`undefined`, or a limit of 0): answers then carry no rate-limit headers.
   */
  setRateLimits(settings: RateLimitSettings | undefined): void {
    const off = settings === undefined || settings.requestsPerMinute <= 0 || settings.tokensPerMinute <= 0;
    this.rateLimits = off ? undefined : new RateLimitWindows(settings, this.clock);
    this.anthropicLimits = off ? undefined : new RateLimitWindows(settings, this.clock);
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
    this.origin_ = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
    return this.origin_;
  }

  /** `http://127.0.0.1:<port>` once started. */
  get origin(): string {
    if (this.origin_ === undefined) throw new Error('the simulator is not started');
    return this.origin_;
  }

  /** The port it listens on, once started. */
  get port(): number {
    return Number(new URL(this.origin).port);
  }

  /** The OpenAI base URL: `<origin>/v1`. */
  get openaiBaseURL(): string {
    return `${this.origin}/v1`;
  }

  /**
   * Scripted mode: resolves with the next request once it is received (its body read), before it is
   * answered; for tests that act at that moment (e.g. abort while the server is still thinking).
   */
  nextRequest(): Promise<ReceivedRequest> {
    return new Promise((resolve) => this.requestWaiters.push(resolve));
  }

  /** Scripted mode: the last request received. */
  lastRequest(): ReceivedRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  /** Stops listening and closes every connection, held streams included. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Changes how one model answers (e.g. a new version that writes longer answers, a slower or worse
   * one for an A/B test: latency, `answerQuality`, error rates); other models keep the base profile.
   */
  setModelProfile(model: string, profile: Partial<SimulationProfile>): void {
    this.modelProfiles.set(model, { ...this.profile, ...this.modelProfiles.get(model), ...profile });
  }

  /** Totals over every route and model. */
  totals(): SimulatorLedger {
    const total: SimulatorLedger = {
      requests: 0,
      failures: {},
      promptTokens: 0,
      completionTokens: 0,
      cachedTokens: 0,
      reasoningTokens: 0,
      cacheWriteTokens: 0,
    };
    for (const l of this.ledger.values()) {
      total.requests += l.requests;
      total.promptTokens += l.promptTokens;
      total.completionTokens += l.completionTokens;
      total.cachedTokens += l.cachedTokens;
      total.reasoningTokens += l.reasoningTokens;
      total.cacheWriteTokens += l.cacheWriteTokens;
      for (const [k, v] of Object.entries(l.failures)) total.failures[k] = (total.failures[k] ?? 0) + v;
    }
    return total;
  }

  private entry(key: string): SimulatorLedger {
    let l = this.ledger.get(key);
    if (!l) {
      l = {
        requests: 0,
        failures: {},
        promptTokens: 0,
        completionTokens: 0,
        cachedTokens: 0,
        reasoningTokens: 0,
        cacheWriteTokens: 0,
      };
      this.ledger.set(key, l);
    }
    return l;
  }

  /** Whether this prompt was seen before (random mode's cached share); remembers it. */
  private repeatedPrompt(body: Record<string, unknown>): boolean {
    // Anthropic's system prompt is part of the cached prefix.
    const key = JSON.stringify([body.system ?? null, body.messages ?? body.prompt ?? body.input ?? null]).slice(
      0,
      4096,
    );
    if (this.prompts.has(key)) return true;
    if (this.prompts.size >= MAX_REMEMBERED_PROMPTS) this.prompts.clear();
    this.prompts.add(key);
    return false;
  }

  /**
   * The status to fail with (or none), the wait before the headers, the answer otherwise, and
   * whether rate-limit headers are sent.
   */
  private plan(operation: Operation, body: Record<string, unknown>, scriptHeader: unknown) {
    if (this.scripted) {
      const script = parseScript(body.model, scriptHeader);
      return {
        status: this.failWith ?? script.failStatus,
        headersDelayMs: script.headersDelayMs + this.extraDelayMs,
        answer: scriptedAnswer(operation, body, script),
        limits: !script.noLimits,
      };
    }
    const profile = this.modelProfiles.get(String(body.model)) ?? this.profile;
    const draw = drawAnswer(this.random, profile, this.extraDelayMs);
    const status =
      this.failWith ??
      (this.random.chance(profile.rateLimitRate) ? 429 : this.random.chance(profile.serverErrorRate) ? 500 : undefined);
    // A failed request caches nothing: only an answered one makes the prompt a repeat.
    const repeatedPrompt = status === undefined && !operation.startsWith('ollama.') && this.repeatedPrompt(body);
    const answer = drawnAnswer(operation, body, draw, { repeatedPrompt, profile });
    return { status, headersDelayMs: draw.firstTokenMs, answer, limits: true };
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
    const route = routeOf(path);
    if (!route || req.method !== 'POST') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `no route ${req.method} ${path}` }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const sent = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    // Bedrock names the model in the path: the script and the ledger read it as the body's model.
    const body = route.model === undefined ? sent : { ...sent, model: route.model };
    if (this.scripted) {
      const received = { path, body };
      this.requests.push(received);
      if (this.requests.length > MAX_KEPT_REQUESTS) this.requests.shift();
      for (const resolve of this.requestWaiters.splice(0)) resolve(received);
    }
    const ledger = this.entry(`${path} ${String(body.model)}`);
    ledger.requests++;
    const plan = this.plan(route.operation, body, req.headers[SCRIPT_HEADER]);
    const { headersDelayMs, answer } = plan;
    let status = plan.status;
    await sleep(headersDelayMs);
    // OpenAI-style rate limits: the windows take the answered requests; a full window refuses (429).
    let extra: Record<string, string> = {};
    const windows = this.rateLimits;
    if (route.api === 'openai' && windows !== undefined && plan.limits) {
      const outcome = windows.admit(answer.promptTokens + answer.completionTokens, status === undefined);
      extra = outcome.headers;
      if (outcome.refused && status === undefined) status = 429;
    }
    if (route.api === 'openai' && status !== undefined) {
      // `retry-after-ms: 5` keeps a client's retries short (the openai clients prefer it to `retry-after`).
      extra = { 'retry-after-ms': '5', ...extra };
      if (status === 429 && extra['retry-after'] === undefined) {
        extra['retry-after'] = String(windows !== undefined && plan.limits ? windows.retryAfterSeconds() : 1);
      }
    }
    // Anthropic-style limits on messages (count_tokens has limits of its own, not simulated).
    const anthropicWindows = this.anthropicLimits;
    if (
      route.api === 'anthropic' &&
      route.operation === 'anthropic.messages' &&
      anthropicWindows !== undefined &&
      plan.limits
    ) {
      const outcome = anthropicWindows.admitAnthropic(
        answer.promptTokens,
        answer.completionTokens,
        status === undefined,
      );
      extra = outcome.headers;
      if (outcome.refused && status === undefined) status = 429;
    }
    if (route.api === 'anthropic' && status === 429 && extra['retry-after'] === undefined) {
      extra['retry-after'] = String(
        anthropicWindows !== undefined && plan.limits ? anthropicWindows.retryAfterSeconds() : 1,
      );
    }
    if (route.api !== 'ollama') extra = withOverrides(extra, this.headerOverrides);
    if (status !== undefined) {
      ledger.failures[status] = (ledger.failures[status] ?? 0) + 1;
      if (route.api === 'openai')
        openai.openAIError(res, status, this.scripted ? SCRIPTED_REQUEST_ID : undefined, extra);
      else if (route.api === 'bedrock')
        bedrock.bedrockError(res, status, this.scripted ? SCRIPTED_REQUEST_ID : undefined);
      else if (route.api === 'anthropic')
        anthropic.anthropicError(res, status, this.scripted ? SCRIPTED_REQUEST_ID : undefined, extra);
      else if (route.api === 'gemini') gemini.geminiError(res, status, extra);
      else ollama.ollamaError(res, status);
      return;
    }
    if (route.operation === 'anthropic.count_tokens') {
      // Counting tokens generates nothing: the ledger counts the request only.
      await route.handle(res, body, { ...answer, headers: extra });
      return;
    }
    ledger.promptTokens += answer.promptTokens;
    ledger.completionTokens += answer.completionTokens;
    ledger.cachedTokens += answer.cachedTokens ?? 0;
    ledger.reasoningTokens += answer.reasoningTokens ?? 0;
    ledger.cacheWriteTokens += answer.cacheWriteTokens ?? 0;
    await route.handle(res, body, { ...answer, headers: extra });
  }
}

/** `headers` with the overrides applied: a string sets a header, `null` removes it. */
function withOverrides(
  headers: Record<string, string>,
  overrides: Record<string, string | null> | undefined,
): Record<string, string> {
  if (overrides === undefined) return headers;
  const result = { ...headers };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) delete result[name];
    else result[name] = value;
  }
  return result;
}
