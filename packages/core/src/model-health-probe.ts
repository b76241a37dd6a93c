import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { ATTR_GEN_AI_PROVIDER_NAME, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from './attributes.js';
import { globalSingleton } from './global-state.js';
import { getLlmMetrics } from './llm-metrics.js';
import { warnOnce } from './report-once.js';

/** The API family of a model endpoint, which decides the probe request. */
export type ModelApi = 'openai' | 'ollama';

/** A model endpoint to probe. */
export interface ModelEndpoint {
  /** `gen_ai.provider.name` of the endpoint, e.g. `openai`, `ollama`, `openai_compatible`. */
  provider: string;
  /**
   * The client's base URL: for OpenAI-compatible servers including the API prefix
   * (`https://api.openai.com/v1`, `http://localhost:11434/v1`), for Ollama the host
   * (`http://localhost:11434`).
   */
  baseUrl: string;
  /** `openai` probes `GET {baseUrl}/models`; `ollama` probes `GET {origin}/api/version`. */
  api: ModelApi;
  /** Extra request headers (e.g. `authorization` for a server that refuses anonymous calls). */
  headers?: Record<string, string>;
}

/** Options of the health probe. */
export interface HealthProbeOptions {
  /** Time between probes of one endpoint. Default 15000 ms. */
  intervalMs: number;
  /** A probe that takes longer counts as down. Default 5000 ms. */
  timeoutMs: number;
  /** Most endpoints probed; more are ignored (and logged once). Default 32. */
  maxEndpoints: number;
}

const DEFAULTS: HealthProbeOptions = { intervalMs: 15_000, timeoutMs: 5_000, maxEndpoints: 32 };

interface Watched {
  endpoint: ModelEndpoint;
  url: string;
  attributes: Attributes;
  /** 1 up, 0 down, undefined before the first probe finished. */
  up: 0 | 1 | undefined;
  inFlight: Promise<void> | undefined;
}

function probeUrl(endpoint: ModelEndpoint): URL {
  const base = new URL(endpoint.baseUrl);
  if (endpoint.api === 'ollama') return new URL('/api/version', base.origin);
  return new URL(`${base.pathname.replace(/\/+$/, '')}/models`, base.origin);
}

/**
 * Probes each model endpoint the app uses, off the request path, and exports `llm_model_up` (1 when
 * the endpoint answered with a status below 500 within the timeout, else 0) by provider and
 * `server.address`/`server.port`. A status below 500 counts as up: a 401 from `/v1/models` still
 * shows the service is there (the key is a different problem, which `llm_error_rate_total` shows).
 *
 * Endpoints are added with {@link ModelHealthProbe.watch} (the auto-instrumentation does it for every
 * client it sees) and probed only while the probe is started.
 */
export class ModelHealthProbe {
  private options: HealthProbeOptions = { ...DEFAULTS };
  private readonly endpoints = new Map<string, Watched>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    getLlmMetrics().addGaugeObserver('modelUp', (result: ObservableResult<Attributes>) => {
      for (const w of this.endpoints.values()) if (w.up !== undefined) result.observe(w.up, w.attributes);
    });
  }

  /** Whether probes are running. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts probing every watched endpoint now and then every `intervalMs`. */
  start(options: Partial<HealthProbeOptions> = {}): void {
    this.stop();
    this.options = { ...DEFAULTS, ...options };
    for (const [name, value] of Object.entries(this.options)) {
      if (!Number.isInteger(value) || value <= 0)
        throw new RangeError(`health probe option ${name}=${String(value)} is not valid; accepted: a positive integer`);
    }
    this.timer = setInterval(() => this.probeAll(), this.options.intervalMs);
    this.timer.unref(); // never keep the app alive for a probe
    this.probeAll();
  }

  /** Stops probing; the last results stay exported until {@link clear}. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Forgets every endpoint and result. */
  clear(): void {
    this.endpoints.clear();
  }

  /** Adds an endpoint (idempotent). Invalid URLs are ignored and logged once; never throws. */
  watch(endpoint: ModelEndpoint): void {
    try {
      const url = probeUrl(endpoint);
      const key = `${endpoint.api} ${url.href}`;
      if (this.endpoints.has(key)) return;
      if (this.endpoints.size >= this.options.maxEndpoints) {
        warnOnce(
          'probe:max-endpoints',
          `health probe watches ${this.options.maxEndpoints} endpoints; ${url.origin} is not probed`,
        );
        return;
      }
      const attributes: Attributes = {
        [ATTR_GEN_AI_PROVIDER_NAME]: endpoint.provider,
        [ATTR_SERVER_ADDRESS]: url.hostname,
        [ATTR_SERVER_PORT]: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      };
      const watched: Watched = { endpoint, url: url.href, attributes, up: undefined, inFlight: undefined };
      this.endpoints.set(key, watched);
      if (this.running) void this.probe(watched);
    } catch (error) {
      warnOnce('probe:bad-endpoint', `health probe ignores endpoint ${String(endpoint?.baseUrl)}: ${String(error)}`);
    }
  }

  /** Probes every endpoint once and resolves when all answered or timed out (useful in tests). */
  async probeNow(): Promise<void> {
    await Promise.all([...this.endpoints.values()].map((w) => this.probe(w)));
  }

  /** The latest result per endpoint URL (1 up, 0 down; missing before the first probe). */
  results(): Record<string, 0 | 1> {
    const out: Record<string, 0 | 1> = {};
    for (const w of this.endpoints.values()) if (w.up !== undefined) out[w.url] = w.up;
    return out;
  }

  private probeAll(): void {
    for (const w of this.endpoints.values()) void this.probe(w);
  }

  private probe(w: Watched): Promise<void> {
    // A slow endpoint never piles up probes: callers share the one in flight.
    w.inFlight ??= this.request(w).finally(() => {
      w.inFlight = undefined;
    });
    return w.inFlight;
  }

  private async request(w: Watched): Promise<void> {
    try {
      const response = await fetch(w.url, {
        headers: w.endpoint.headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      w.up = response.status < 500 ? 1 : 0;
    } catch {
      w.up = 0;
    }
  }
}

/** The process-wide model endpoint health probe. */
export function getModelHealthProbe(): ModelHealthProbe {
  return globalSingleton('modelHealthProbe', () => new ModelHealthProbe());
}
