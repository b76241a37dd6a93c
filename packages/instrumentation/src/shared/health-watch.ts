import { getModelHealthProbe, type ModelApi } from '@llm-otel/core';

const watched = new Set<string>();
const MAX_WATCHED = 64;

/**
 * Hands the endpoint of a client to core's model health probe (which probes only when started, e.g.
 * `register({ healthProbe: true })`). One Set look-up per call; the probe is told once per endpoint.
 */
export function watchEndpoint(provider: string, baseUrl: unknown, api: ModelApi): void {
  if (typeof baseUrl !== 'string' || baseUrl.length === 0) return;
  const key = `${api} ${provider} ${baseUrl}`;
  if (watched.has(key) || watched.size >= MAX_WATCHED) return;
  watched.add(key);
  getModelHealthProbe().watch({ provider, baseUrl, api });
}
