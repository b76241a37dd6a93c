/** `server.address` and `server.port` of a model endpoint. */
export interface ServerEndpoint {
  serverAddress?: string;
  serverPort?: number;
}

const DEFAULT_PORTS: Record<string, number> = { 'https:': 443, 'http:': 80 };

const parsed = new Map<string, ServerEndpoint>();
const MAX_CACHED = 64;

/**
 * Host and port of a base URL (`https://api.openai.com/v1` -> `api.openai.com`, 443). The port is
 * the explicit one, else the scheme's default. Unparseable input gives an empty endpoint. Results
 * are cached: clients are few and their base URLs rarely change.
 */
export function serverEndpoint(baseUrl: unknown): ServerEndpoint {
  if (typeof baseUrl !== 'string' || baseUrl.length === 0) return {};
  const cached = parsed.get(baseUrl);
  if (cached !== undefined) return cached;
  let endpoint: ServerEndpoint = {};
  try {
    const url = new URL(baseUrl);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
    endpoint = { serverAddress: host.toLowerCase() || undefined, serverPort: port };
  } catch {
    // Not a URL: leave the attributes out.
  }
  if (parsed.size >= MAX_CACHED) parsed.clear();
  parsed.set(baseUrl, endpoint);
  return endpoint;
}
