/** Where the MLflow tracking server is and how to authenticate, from options or MLflow's own variables. */

/** Connection options of {@link MlflowClient}; each overrides the matching `MLFLOW_*` variable. */
export interface MlflowConnectionOptions {
  /** The tracking server, `http(s)://host:port[/prefix]`. Env: `MLFLOW_TRACKING_URI`. */
  trackingUri?: string;
  /** A bearer token. Env: `MLFLOW_TRACKING_TOKEN`. */
  token?: string;
  /** Basic auth user (with `password`). Env: `MLFLOW_TRACKING_USERNAME`. */
  username?: string;
  /** Basic auth password. Env: `MLFLOW_TRACKING_PASSWORD`. */
  password?: string;
  /** Per-request timeout in milliseconds (default 10000). Env: `MLFLOW_HTTP_REQUEST_TIMEOUT` (seconds, MLflow's unit). */
  timeoutMs?: number;
}

/** A connection resolved from options and environment. */
export interface MlflowConnection {
  /** The server's base URL without a trailing slash, e.g. `http://127.0.0.1:5000`. */
  readonly baseUrl: string;
  /** The `authorization` header value, if any (never logged). */
  readonly authorization: string | undefined;
  readonly timeoutMs: number;
}

/** A setting that can not be used: the message names the option or variable. */
export class MlflowConfigError extends Error {
  override readonly name = 'MlflowConfigError';
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** The tracking URI from `options` or `MLFLOW_TRACKING_URI`, or undefined when neither is set (MLflow off). */
export function trackingUriOf(options: MlflowConnectionOptions = {}, env: NodeJS.ProcessEnv = process.env) {
  const uri = options.trackingUri ?? env.MLFLOW_TRACKING_URI;
  return uri === undefined || uri.trim() === '' ? undefined : uri.trim();
}

/**
 * Resolves the connection; undefined when no tracking URI is set.
 * @throws MlflowConfigError for a URI that is not http(s) (a `file:` store or `databricks` has no
 *   REST server to talk to), half a basic-auth pair, or a bad timeout.
 */
export function resolveConnection(
  options: MlflowConnectionOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): MlflowConnection | undefined {
  const uri = trackingUriOf(options, env);
  if (uri === undefined) return undefined;
  const source = options.trackingUri !== undefined ? 'trackingUri' : 'MLFLOW_TRACKING_URI';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new MlflowConfigError(`${source} ${JSON.stringify(uri)} is not a URL (expected http(s)://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new MlflowConfigError(
      `${source} ${JSON.stringify(uri)}: only an http(s) tracking server is supported (not ${url.protocol} stores)`,
    );
  if (url.username !== '' || url.password !== '')
    throw new MlflowConfigError(`${source}: put credentials in MLFLOW_TRACKING_USERNAME/PASSWORD, not in the URI`);
  const token = options.token ?? env.MLFLOW_TRACKING_TOKEN;
  const username = options.username ?? env.MLFLOW_TRACKING_USERNAME;
  const password = options.password ?? env.MLFLOW_TRACKING_PASSWORD;
  if ((username === undefined) !== (password === undefined))
    throw new MlflowConfigError('basic auth needs both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD');
  let authorization: string | undefined;
  if (token !== undefined && token !== '') authorization = `Bearer ${token}`;
  else if (username !== undefined && password !== undefined)
    authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const timeoutMs =
    options.timeoutMs ??
    (env.MLFLOW_HTTP_REQUEST_TIMEOUT ? Number(env.MLFLOW_HTTP_REQUEST_TIMEOUT) * 1000 : DEFAULT_TIMEOUT_MS);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new MlflowConfigError(`the request timeout must be a positive number (got ${String(timeoutMs)})`);
  return { baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, authorization, timeoutMs };
}
