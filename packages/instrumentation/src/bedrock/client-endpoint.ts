import type { ServerEndpoint } from '../shared/endpoint.js';
import { field, reportInternalError } from '../shared/safe.js';

/** `gen_ai.provider.name` of Amazon Bedrock. */
export const BEDROCK_PROVIDER = 'aws.bedrock';

const MAX_REGION_LENGTH = 32;
const MAX_HOST_LENGTH = 253;

/** Whether a region looks like one (`us-east-1`): lowercase letters, digits and dashes, short. */
function isRegion(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_REGION_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
    if (!ok) return false;
  }
  return true;
}

/** Host and port of a resolved Smithy endpoint (`{ hostname, port, protocol }`). */
function fromEndpoint(endpoint: unknown): ServerEndpoint {
  const hostname = field(endpoint, 'hostname');
  if (typeof hostname !== 'string' || hostname.length === 0 || hostname.length > MAX_HOST_LENGTH) return {};
  const port = field(endpoint, 'port');
  const protocol = field(endpoint, 'protocol');
  const serverPort = typeof port === 'number' && Number.isInteger(port) ? port : protocol === 'http:' ? 80 : 443;
  return { serverAddress: hostname, serverPort };
}

async function resolveServer(config: unknown): Promise<ServerEndpoint> {
  const endpoint = field(config, 'endpoint');
  // A custom endpoint (`endpoint` option): the client keeps it as a provider of `{ hostname, port }`.
  if (field(config, 'isCustomEndpoint') === true && typeof endpoint === 'function') {
    return fromEndpoint(await (endpoint as () => Promise<unknown>)());
  }
  const regionProvider = field(config, 'region');
  const region = typeof regionProvider === 'function' ? await (regionProvider as () => Promise<unknown>)() : undefined;
  return isRegion(region) ? { serverAddress: `bedrock-runtime.${region}.amazonaws.com`, serverPort: 443 } : {};
}

const servers = new WeakMap<object, ServerEndpoint | Promise<ServerEndpoint>>();

/**
 * The `server.address` and `server.port` of a Bedrock Runtime client: the host and port of its
 * `endpoint` when the app set one, else `bedrock-runtime.<region>.amazonaws.com:443`. The client
 * keeps both as asynchronous providers, so they are resolved once per client, at its first measured
 * call (the endpoint provider is called once more than the client itself calls it), then cached:
 * returns the endpoint when known, else a promise of it (the first call takes it when it resolves,
 * before its response arrives). A provider that fails leaves the server unknown.
 */
export function clientServer(client: unknown): ServerEndpoint | Promise<ServerEndpoint> {
  if (typeof client !== 'object' || client === null) return {};
  const known = servers.get(client);
  if (known !== undefined) return known;
  const pending = resolveServer(field(client, 'config')).then(
    (server) => {
      servers.set(client, server);
      return server;
    },
    (error: unknown) => {
      reportInternalError('bedrock.endpoint', error);
      const none: ServerEndpoint = {};
      servers.set(client, none);
      return none;
    },
  );
  servers.set(client, pending);
  return pending;
}
