import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  getLlmMetrics,
  getModelEndpoints,
  type ModelEndpoint,
} from '@llm-otel/core';
import { type ModelEndpoints } from '@llm-otel/core/internal';
import { type Attributes, diag, type ObservableResult } from '@opentelemetry/api';

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
  headers: Record<string, string> | undefined;
  attributes: Attributes;
  /** 1 up, 0 down, undefined before the first probe finished. */
  up: 0 | 1 | undefined;
  inFlight: Promise<void> | undefined;
}

/** `path` without its trailing slashes (one backward scan, no regex). */
function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}

/** The API version Anthropic's API wants in every request; its `/v1/models` answers 400 without it. */
const ANTHROPIC_VERSION = '2023-06-01';

function probeUrl(endpoint: ModelEndpoint): URL {
  const base = new URL(endpoint.baseUrl);
  if (endpoint.api === 'ollama') return new URL('/api/version', base.origin);
  // Anthropic's base URL is the host (or a proxy prefix) without `/v1`, which its client adds.
  const suffix = endpoint.api === 'anthropic' ? '/v1/models' : '/models';
  return new URL(`${trimTrailingSlashes(base.pathname)}${suffix}`, base.origin);
}

/** The headers of a probe: the endpoint's own, plus `anthropic-version` for Anthropic's API. */
function probeHeaders(endpoint: ModelEndpoint): Record<string, string> | undefined {
  if (endpoint.api !== 'anthropic') return endpoint.headers;
  return { 'anthropic-version': ANTHROPIC_VERSION, ...endpoint.headers };
}

/**
 * Probes each model endpoint the app uses, off the request path (OpenAI-compatible: `GET {baseUrl}/models`;
 * Ollama: `GET /api/version`; Anthropic: `GET {baseUrl}/v1/models`), and exports `llm_model_up` (1 when
 * the endpoint answered with a status below 500 within the timeout, else 0) by provider and
 * `server.address`/`server.port`. A status below 500 counts as up: a 401 from `/v1/models` still
 * shows the service is there (the key is a different problem, which `llm_error_rate_total` shows).
 *
 * It probes the endpoints of core's `getModelEndpoints()` (which the auto-instrumentation fills with
 * every client it sees) and those added with {@link ModelHealthProbe.watch}, only while started.
 */
export class ModelHealthProbe {
  private options: HealthProbeOptions = { ...DEFAULTS };
  private readonly watched = new Map<string, Watched>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private warnedFull = false;

  /** @param endpoints the list of endpoints to probe. Default: the process-wide `getModelEndpoints()`. */
  constructor(private readonly endpoints: ModelEndpoints = getModelEndpoints()) {
    getLlmMetrics().addGaugeObserver('modelUp', (result: ObservableResult<Attributes>) => {
      for (const w of this.watched.values()) if (w.up !== undefined) result.observe(w.up, w.attributes);
    });
    endpoints.onAdd((endpoint) => this.track(endpoint));
    for (const endpoint of endpoints.list()) this.track(endpoint);
  }

  /** Whether probes are running. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Starts probing every endpoint now and then every `intervalMs`.
   * @throws RangeError naming an option that is not a positive integer.
   */
  start(options: Partial<HealthProbeOptions> = {}): void {
    const next = { ...DEFAULTS, ...options };
    for (const [name, value] of Object.entries(next)) {
      if (!Number.isInteger(value) || value <= 0)
        throw new RangeError(`health probe option ${name}=${String(value)} is not valid; accepted: a positive integer`);
    }
    this.stop();
    this.options = next;
    this.timer = setInterval(() => this.probeAll(), this.options.intervalMs);
    this.timer.unref(); // never keep the app alive for a probe
    this.probeAll();
  }

  /** Stops probing; the last results stay exported until {@link clear}. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Forgets every endpoint (also in `getModelEndpoints()`) and result. */
  clear(): void {
    this.watched.clear();
    this.endpoints.clear();
    this.warnedFull = false;
  }

  /** Adds an endpoint to probe (idempotent). Invalid ones are ignored and logged once; never throws. */
  watch(endpoint: ModelEndpoint): void {
    this.endpoints.add(endpoint);
  }

  /** Probes every endpoint once and resolves when all answered or timed out (useful in tests). */
  async probeNow(): Promise<void> {
    await Promise.all([...this.watched.values()].map((w) => this.probe(w)));
  }

  /** The latest result per endpoint URL (1 up, 0 down; missing before the first probe). */
  results(): Record<string, 0 | 1> {
    const out: Record<string, 0 | 1> = {};
    for (const w of this.watched.values()) if (w.up !== undefined) out[w.url] = w.up;
    return out;
  }

  private track(endpoint: ModelEndpoint): void {
    try {
      const url = probeUrl(endpoint);
      const key = `${endpoint.api} ${url.href}`;
      if (this.watched.has(key)) return;
      if (this.watched.size >= this.options.maxEndpoints) {
        if (!this.warnedFull)
          diag.warn(
            `@llm-otel/node: the health probe watches ${this.options.maxEndpoints} endpoints; more are not probed`,
          );
        this.warnedFull = true;
        return;
      }
      const attributes: Attributes = {
        [ATTR_GEN_AI_PROVIDER_NAME]: endpoint.provider,
        [ATTR_SERVER_ADDRESS]: url.hostname,
        [ATTR_SERVER_PORT]: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
      };
      const watched: Watched = {
        endpoint,
        url: url.href,
        headers: probeHeaders(endpoint),
        attributes,
        up: undefined,
        inFlight: undefined,
      };
      this.watched.set(key, watched);
      // Instrumentations add endpoints on the app's request path: the first probe runs after it.
      if (this.running) setImmediate(() => void this.probe(watched)).unref();
    } catch (error) {
      getLlmMetrics().reportInternalError('health-probe', error);
    }
  }

  private probeAll(): void {
    for (const w of this.watched.values()) void this.probe(w);
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
        headers: w.headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      w.up = response.status < 500 ? 1 : 0;
    } catch {
      w.up = 0;
    }
  }
}

/** Where the process-wide probe lives, shared by the ESM and CJS builds of this package. */
const PROBE_KEY = Symbol.for('@llm-otel/node.modelHealthProbe');

/** The process-wide model endpoint health probe (it probes the endpoints of `getModelEndpoints()`). */
export function getModelHealthProbe(): ModelHealthProbe {
  const holder = globalThis as unknown as Record<symbol, ModelHealthProbe | undefined>;
  holder[PROBE_KEY] ??= new ModelHealthProbe();
  return holder[PROBE_KEY];
}
