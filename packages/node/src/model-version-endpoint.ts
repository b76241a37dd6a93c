import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getLlmMetrics, getModelRegistry, type ModelInfo, type ModelRegistry } from '@llm-otel/core';

/** Options of {@link createModelVersionHandler}. */
export interface ModelVersionHandlerOptions {
  /** The registry to expose. Default: the process-wide `getModelRegistry()`. */
  registry?: ModelRegistry;
  /** Path prefix. Default `/api/v1/models/version`. */
  path?: string;
  /**
   * Metadata keys that may be shown; all other metadata stays private. Default: none (the response
   * holds name, version, hash and deployment time only).
   */
  publicMetadataKeys?: readonly string[];
}

/** One model as the endpoint shows it. */
export interface ModelVersionView {
  name: string;
  version: string;
  hash: string;
  deployedAt: string;
  metadata?: Record<string, unknown>;
}

/**
 * A request handler for the spec's model version endpoint, with the plain `node:http` signature:
 *
 * - `GET /api/v1/models/version` -> `{ "models": [ { name, version, hash, deployedAt } ... ] }`
 * - `GET /api/v1/models/version/{name}` -> one model, or 404 for an unknown name
 * - `HEAD` likewise without a body; other methods -> 405 with `Allow: GET, HEAD`
 *
 * Responses are JSON with an `ETag`; `Cache-Control: no-cache` makes caches revalidate, so a
 * re-deploy is visible at once and an unchanged answer costs a 304.
 *
 * Returns `true` when it handled the request and `false` when the path is not its own, so it
 * composes: `if (!handler(req, res)) next()` (Express middleware), or Fastify via `reply.raw`.
 */
export function createModelVersionHandler(
  options: ModelVersionHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const prefix = trimTrailingSlashes(options.path ?? '/api/v1/models/version');
  const publicKeys = new Set(options.publicMetadataKeys ?? []);
  const registry = () => options.registry ?? getModelRegistry();

  const view = (m: ModelInfo): ModelVersionView => {
    const out: ModelVersionView = {
      name: m.modelName,
      version: m.version,
      hash: m.modelHash,
      deployedAt: m.deployedAt.toISOString(),
    };
    const metadata = Object.fromEntries(Object.entries(m.metadata).filter(([k]) => publicKeys.has(k)));
    if (Object.keys(metadata).length > 0) out.metadata = metadata;
    return out;
  };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = `${JSON.stringify(body)}\n`;
    const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
    const common = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', ...headers };
    if (status === 200 && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ...common, etag }).end();
      return;
    }
    res.writeHead(status, {
      ...common,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...(status === 200 ? { etag } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    // Linear in the request target by construction: the prefix is compared first (startsWith, at
    // most `prefix.length` characters), so a foreign path costs O(prefix) and is never parsed; under
    // the prefix, the query is cut at its first `?`, trailing slashes are trimmed by one backward
    // scan, and an over-long name is refused before it is decoded. No regex runs on request data.
    const target = req.url;
    if (typeof target !== 'string' || !target.startsWith(prefix)) return false;
    const rest = pathAfterPrefix(target, prefix.length);
    if (rest === undefined) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, 405, { error: `method ${req.method} not allowed; use GET` }, { allow: 'GET, HEAD' });
      return true;
    }
    if (rest === '') {
      send(req, res, 200, { models: registry().listModels().map(view) });
      return true;
    }
    const encoded = rest.slice(1);
    let name: string | undefined;
    try {
      name = encoded.length <= MAX_ENCODED_NAME_LENGTH ? decodeURIComponent(encoded) : undefined;
    } catch {
      send(req, res, 400, { error: 'malformed model name in the path' });
      return true;
    }
    const info = name === undefined ? undefined : registry().getModelInfo(name);
    if (info === undefined) send(req, res, 404, { error: notRegistered(name) });
    else send(req, res, 200, view(info));
    return true;
  };

  return (req, res) => {
    try {
      return handle(req, res);
    } catch (error) {
      answerInternalError(res, error);
      return true;
    }
  };
}

/**
 * The endpoint never throws into the app's server: a failure inside is counted in
 * `llm_otel_internal_errors_total`, logged once, and answered with a 500 whose body says nothing
 * about the cause (which could hold metadata); when the app had already started the response, it is
 * only ended.
 */
function answerInternalError(res: ServerResponse, error: unknown): void {
  getLlmMetrics().reportInternalError('model-version-endpoint', error);
  try {
    if (!res.headersSent) {
      const body = `${JSON.stringify({ error: 'internal error' })}\n`;
      res.writeHead(500, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        'cache-control': 'no-cache',
      });
      res.end(body);
    } else if (!res.writableEnded) {
      res.end();
    }
  } catch {
    res.destroy();
  }
}

/** Model names are at most 128 characters: percent-encoded UTF-8, at most 12 characters each. */
const MAX_ENCODED_NAME_LENGTH = 128 * 12;

function notRegistered(name: string | undefined): string {
  return name === undefined ? 'model name too long' : `model ${JSON.stringify(name)} is not registered`;
}

/** Removes trailing `/` from a path prefix option (configuration, not request data). */
function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
  return path.slice(0, end);
}

const SLASH = 0x2f;

/**
 * The path of `target` after the first `prefixLength` characters (which the caller matched), without
 * query, fragment and trailing slashes: `''` for the prefix itself, `'/name'` below it, undefined when
 * the path only shares the prefix's characters (`/api/v1/models/versions`). One pass, no regex.
 */
function pathAfterPrefix(target: string, prefixLength: number): string | undefined {
  let end = target.length;
  const query = target.indexOf('?', prefixLength);
  if (query !== -1) end = query;
  const fragment = target.indexOf('#', prefixLength);
  if (fragment !== -1 && fragment < end) end = fragment;
  while (end > prefixLength && target.charCodeAt(end - 1) === SLASH) end--;
  if (end === prefixLength) return '';
  if (target.charCodeAt(prefixLength) !== SLASH) return undefined;
  return target.slice(prefixLength, end);
}
