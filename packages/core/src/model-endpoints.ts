import { globalSingleton } from './global-state.js';
import { warnOnce } from './report-once.js';

/** The API family of a model endpoint, which decides how a health probe asks it. */
export type ModelApi = 'openai' | 'ollama' | 'anthropic';

/** Every {@link ModelApi}, to check the value given at run time. */
const MODEL_APIS: readonly string[] = ['openai', 'ollama', 'anthropic'];

/** A model endpoint the app uses. */
export interface ModelEndpoint {
  /** `gen_ai.provider.name` of the endpoint, e.g. `openai`, `ollama`, `openai_compatible`. */
  provider: string;
  /**
   * The client's base URL (`http:` or `https:`): for OpenAI-compatible servers including the API
   * prefix (`https://api.openai.com/v1`, `http://localhost:11434/v1`), for Ollama the host
   * (`http://localhost:11434`), for Anthropic the host without `/v1` (`https://api.anthropic.com`).
   */
  baseUrl: string;
  /**
   * `openai` is probed with `GET {baseUrl}/models`; `ollama` with `GET {origin}/api/version`;
   * `anthropic` with `GET {baseUrl}/v1/models` (and the `anthropic-version` header).
   */
  api: ModelApi;
  /** Extra request headers (e.g. `authorization` for a server that refuses anonymous calls). */
  headers?: Record<string, string>;
}

/** Most endpoints kept; later ones are ignored (and logged once). */
export const MAX_MODEL_ENDPOINTS = 64;
/** Longest base URL kept (a base URL is configuration, not request data). */
const MAX_BASE_URL_LENGTH = 2048;

/**
 * The model endpoints the app uses, as the instrumentations discover them (and the app adds). It
 * only lists them: probing them is the job of the health probe of `@llm-otel/node`, which reads this
 * list, so that core stays free of network code and the instrumentations need not depend on the
 * package that probes. Bounded, deduplicated, never throws.
 */
export class ModelEndpoints {
  private readonly endpoints = new Map<string, ModelEndpoint>();
  private readonly listeners = new Set<(endpoint: ModelEndpoint) => void>();

  /**
   * Adds an endpoint (idempotent). An invalid one (no provider, a base URL that is not http(s)) and
   * any past {@link MAX_MODEL_ENDPOINTS} are ignored and logged once. Returns whether it was added.
   */
  add(endpoint: ModelEndpoint): boolean {
    try {
      const { provider, baseUrl, api } = endpoint ?? ({} as ModelEndpoint);
      if (typeof provider !== 'string' || provider.length === 0 || provider.length > 128)
        return this.ignore('provider must be a non-empty string of at most 128 characters');
      if (typeof api !== 'string' || !MODEL_APIS.includes(api))
        return this.ignore('api must be "openai", "ollama" or "anthropic"');
      if (typeof baseUrl !== 'string' || baseUrl.length > MAX_BASE_URL_LENGTH || !URL.canParse(baseUrl))
        return this.ignore('baseUrl is not a URL');
      const protocol = new URL(baseUrl).protocol;
      if (protocol !== 'http:' && protocol !== 'https:') return this.ignore('baseUrl is not http(s)');
      const key = `${api} ${provider} ${baseUrl}`;
      if (this.endpoints.has(key)) return false;
      if (this.endpoints.size >= MAX_MODEL_ENDPOINTS) {
        warnOnce('endpoints:max', `${MAX_MODEL_ENDPOINTS} model endpoints are known; later ones are ignored`);
        return false;
      }
      const copy: ModelEndpoint = { provider, baseUrl, api };
      if (endpoint.headers !== undefined) copy.headers = { ...endpoint.headers };
      this.endpoints.set(key, Object.freeze(copy));
      for (const listener of this.listeners) {
        try {
          listener(copy);
        } catch (error) {
          warnOnce('endpoints:listener', `a model endpoint listener failed: ${String(error)}`);
        }
      }
      return true;
    } catch (error) {
      warnOnce('endpoints:add', `model endpoint ignored: ${String(error)}`);
      return false;
    }
  }

  /** Every known endpoint, in the order they were added. */
  list(): ModelEndpoint[] {
    return [...this.endpoints.values()];
  }

  /**
   * Calls `listener` with every endpoint added from now on (for a prober to pick it up at once).
   * Returns the function that removes the listener.
   */
  onAdd(listener: (endpoint: ModelEndpoint) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every endpoint (listeners stay). */
  clear(): void {
    this.endpoints.clear();
  }

  /** Logs once without the URL (it may hold credentials). */
  private ignore(reason: string): false {
    warnOnce('endpoints:invalid', `a model endpoint was ignored: ${reason}`);
    return false;
  }
}

/** The process-wide list of model endpoints (filled by the instrumentations). */
export function getModelEndpoints(): ModelEndpoints {
  return globalSingleton('modelEndpoints', () => new ModelEndpoints());
}
