import type { OpenAIEndpointInfo, OpenAIInstrumentationConfig } from '../config.js';
import { serverEndpoint } from '../shared/endpoint.js';
import { watchEndpoint } from '../shared/health-watch.js';
import { field } from '../shared/safe.js';
import { type Headroom, headroomFor } from './headroom.js';
import { providerForHost } from './provider.js';

/** What a call through one openai client records as provider and server attributes. */
export interface OpenAIEndpoint {
  provider: string;
  serverAddress?: string;
  serverPort?: number;
  /** The hook input, for the `streamUsage` decision. */
  info: OpenAIEndpointInfo;
  /** Azure's `api-version`, when the client sends one. */
  apiVersion?: string;
  /** Reads the rate-limit headers of the calls to this provider and server. */
  headroom: Headroom;
}

const cache = new WeakMap<object, { baseURL: unknown; config: unknown; endpoint: OpenAIEndpoint }>();

function azureApiVersion(client: unknown): string | undefined {
  const version = field(client, 'apiVersion') ?? field(field(field(client, '_options'), 'defaultQuery'), 'api-version');
  return typeof version === 'string' ? version : undefined;
}

/**
 * The endpoint of the client behind an openai resource object (`this` of `chat.completions.create`,
 * which holds its client as `_client`). Cached per client while its base URL stays the same.
 */
export function clientEndpoint(resource: unknown, config: OpenAIInstrumentationConfig): OpenAIEndpoint {
  const client = field(resource, '_client');
  const baseURL = field(client, 'baseURL');
  const key = typeof client === 'object' && client !== null ? client : undefined;
  const cached = key === undefined ? undefined : cache.get(key);
  if (cached !== undefined && cached.baseURL === baseURL && cached.config === config) return cached.endpoint;

  const { serverAddress, serverPort } = serverEndpoint(baseURL);
  const isAzureClient = field(field(client, 'constructor'), 'name') === 'AzureOpenAI';
  const info: OpenAIEndpointInfo = {
    baseURL: typeof baseURL === 'string' ? baseURL : undefined,
    host: serverAddress,
    port: serverPort,
    provider: providerForHost(serverAddress, isAzureClient),
  };
  const override = config.providerName?.(info);
  const provider = typeof override === 'string' && override.length > 0 ? override : info.provider;
  const endpoint: OpenAIEndpoint = {
    provider,
    serverAddress,
    serverPort,
    info,
    apiVersion: azureApiVersion(client),
    headroom: headroomFor({ provider, serverAddress }),
  };
  if (key !== undefined) cache.set(key, { baseURL, config, endpoint });
  watchEndpoint(endpoint.provider, baseURL, 'openai');
  return endpoint;
}
