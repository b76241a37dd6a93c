import { getModelEndpoints, type ModelApi } from '@llm-otel/core';

const watched = new Set<string>();
const MAX_WATCHED = 64;

/**
 * Adds the endpoint of a client to core's list of model endpoints, which the health probe of
 * `@llm-otel/node` probes when started (e.g. `register({ healthProbe: true })`). One Set look-up per
 * call; the list is told once per endpoint.
 */
export function watchEndpoint(provider: string, baseUrl: unknown, api: ModelApi): void {
  if (typeof baseUrl !== 'string' || baseUrl.length === 0) return;
  const key = `${api} ${provider} ${baseUrl}`;
  if (watched.has(key) || watched.size >= MAX_WATCHED) return;
  watched.add(key);
  getModelEndpoints().add({ provider, baseUrl, api });
}
