import { serverEndpoint } from '../shared/endpoint.js';
import { field } from '../shared/safe.js';

/** What a call through one `@google/genai` client records as provider and server attributes. */
export interface GoogleGenAIEndpoint {
  provider: string;
  serverAddress?: string;
  serverPort?: number;
}

/** `gen_ai.provider.name` of the Gemini API (`generativelanguage.googleapis.com`). */
export const GEMINI_PROVIDER = 'gcp.gemini';
/** `gen_ai.provider.name` of a client created with `vertexai: true`. */
export const VERTEX_AI_PROVIDER = 'gcp.vertex_ai';

const cache = new WeakMap<object, { baseUrl: unknown; provider: string; endpoint: GoogleGenAIEndpoint }>();

/**
 * The endpoint of the client behind a `Models` module (`this` of its methods, which holds the
 * client's `apiClient`): `gcp.vertex_ai` for a Vertex AI client (`clientOptions.vertexai`), else
 * `gcp.gemini`, unless `providerName` says; host and port of the client's base URL (the default
 * Google endpoint or `httpOptions.baseUrl`). Cached per client while its base URL (and the
 * configured provider) stay the same.
 */
export function clientEndpoint(models: unknown, providerName: string | undefined): GoogleGenAIEndpoint {
  const apiClient = field(models, 'apiClient');
  const options = field(apiClient, 'clientOptions');
  const baseUrl = field(field(options, 'httpOptions'), 'baseUrl');
  const provider = providerName || (field(options, 'vertexai') === true ? VERTEX_AI_PROVIDER : GEMINI_PROVIDER);
  const key = typeof apiClient === 'object' && apiClient !== null ? apiClient : undefined;
  const cached = key === undefined ? undefined : cache.get(key);
  if (cached !== undefined && cached.baseUrl === baseUrl && cached.provider === provider) return cached.endpoint;
  const endpoint: GoogleGenAIEndpoint = { provider, ...serverEndpoint(baseUrl) };
  if (key !== undefined) cache.set(key, { baseUrl, provider, endpoint });
  return endpoint;
}

/**
 * The model of a request as the price table and the dashboards name it: the app may write the
 * Gemini API's resource name (`models/gemini-2.5-flash`) or a Vertex AI one
 * (`publishers/google/models/gemini-2.5-flash`, `projects/.../models/gemini-2.5-flash`); the part
 * after the last `models/` is the model. Tuned models (`tunedModels/123`) stay as they are.
 */
export function requestModel(model: unknown): string | undefined {
  if (typeof model !== 'string' || model.length === 0) return undefined;
  const at = model.lastIndexOf('models/');
  if (at < 0 || (at > 0 && model[at - 1] !== '/')) return model;
  const name = model.slice(at + 7);
  return name.length > 0 ? name : model;
}
