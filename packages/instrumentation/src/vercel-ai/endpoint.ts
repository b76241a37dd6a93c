import { type ServerEndpoint, serverEndpoint } from '../shared/endpoint.js';

/**
 * `server.address` and `server.port` of the URL a model call went to (the AI SDK reports it when
 * the call ends). Only the origin is parsed and cached: a URL's path may carry the model name or a
 * deployment, which would make the cache grow with it.
 */
export function endpointOfUrl(url: unknown): ServerEndpoint {
  if (typeof url !== 'string') return {};
  // scheme://host[:port] ends at the first '/' after the '//' (a linear scan, no regex).
  const start = url.indexOf('//');
  if (start < 0) return {};
  const end = url.indexOf('/', start + 2);
  return serverEndpoint(end < 0 ? url : url.slice(0, end));
}
