import type { AnthropicInstrumentationConfig } from '../config.js';
import { serverEndpoint } from '../shared/endpoint.js';
import { type Headroom, headroomFor } from '../shared/headroom.js';
import { watchEndpoint } from '../shared/health-watch.js';
import { field } from '../shared/safe.js';
import { ANTHROPIC_RATE_LIMITS } from './rate-limit-headers.js';

/** What a call through one Anthropic client records as provider and server attributes. */
export interface AnthropicEndpoint {
  provider: string;
  serverAddress?: string;
  serverPort?: number;
  /** Reads the `anthropic-ratelimit-*` headers of the calls to this provider and server. */
  headroom: Headroom;
}

/** `gen_ai.provider.name` of Anthropic's API. */
export const ANTHROPIC_PROVIDER = 'anthropic';

/**
 * The clients of Claude on the clouds (`@anthropic-ai/bedrock-sdk`, `@anthropic-ai/vertex-sdk`)
 * reuse this package's messages resource: their calls are named after the cloud that serves them.
 */
const CLIENT_PROVIDERS: Readonly<Record<string, string>> = {
  AnthropicBedrock: 'aws.bedrock',
  AnthropicVertex: 'gcp.vertex_ai',
};

/** The provider of a client by its class: Anthropic's own API unless it is a cloud's client. */
function providerOf(client: unknown): string {
  const name = field(field(client, 'constructor'), 'name');
  return typeof name === 'string' && Object.hasOwn(CLIENT_PROVIDERS, name)
    ? (CLIENT_PROVIDERS[name] as string)
    : ANTHROPIC_PROVIDER;
}

const cache = new WeakMap<object, { baseURL: unknown; provider: string; endpoint: AnthropicEndpoint }>();

/**
 * The endpoint of the client behind a messages resource (`this` of `messages.create`, which holds
 * its client as `_client`): host and port of its `baseURL`; the provider is `anthropic`, or
 * `aws.bedrock` / `gcp.vertex_ai` for the Bedrock and Vertex AI clients, unless `providerName` says. Cached per client while its base URL
 * (and the configured provider) stay the same. The endpoint of Anthropic's own API is added to core's
 * model endpoint list once, for the health probe of `@llm-otel/node`.
 */
export function clientEndpoint(resource: unknown, config: AnthropicInstrumentationConfig): AnthropicEndpoint {
  const client = field(resource, '_client');
  const baseURL = field(client, 'baseURL');
  const provider = config.providerName || providerOf(client);
  const key = typeof client === 'object' && client !== null ? client : undefined;
  const cached = key === undefined ? undefined : cache.get(key);
  if (cached !== undefined && cached.baseURL === baseURL && cached.provider === provider) return cached.endpoint;
  const { serverAddress, serverPort } = serverEndpoint(baseURL);
  const endpoint: AnthropicEndpoint = {
    provider,
    serverAddress,
    serverPort,
    headroom: headroomFor({ provider, serverAddress }, ANTHROPIC_RATE_LIMITS),
  };
  if (key !== undefined) cache.set(key, { baseURL, provider, endpoint });
  // For the health probe (which probes later, off the request path): only Anthropic's own API
  // answers `GET /v1/models`; the Bedrock and Vertex AI clients speak their cloud's API.
  if (providerOf(client) === ANTHROPIC_PROVIDER) watchEndpoint(provider, baseURL, 'anthropic');
  return endpoint;
}
