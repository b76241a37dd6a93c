import { MlflowConfigError, type MlflowConnection, type MlflowConnectionOptions, resolveConnection } from './config.js';
import { MlflowError } from './errors.js';

/** A tag of a registered model or model version. */
export interface MlflowTag {
  key: string;
  value: string;
}

/** A registered model as MLflow returns it (the fields used here). */
export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  tags?: MlflowTag[];
  aliases?: Array<{ alias: string; version: string }>;
}

/** A model version as MLflow returns it (the fields used here). */
export interface MlflowModelVersion {
  name: string;
  /** MLflow's own version number, as a string ("1", "2", ...). */
  version: string;
  creation_timestamp?: number;
  source?: string;
  run_id?: string;
  status?: string;
  description?: string;
  tags?: MlflowTag[];
  aliases?: string[];
}

/** Longest error detail kept from a response: MLflow's messages are short; a proxy's HTML page is not. */
const MAX_DETAIL = 300;

/**
 * A small typed client of MLflow's REST API (`/api/2.0/mlflow/...`) on `fetch`: the registered
 * model, model version, alias and tag endpoints. One request per call, with a timeout and no
 * retries (callers off the request path decide about retrying). Failures are {@link MlflowError}s
 * carrying the HTTP status and MLflow's `error_code`.
 */
export class MlflowClient {
  readonly connection: MlflowConnection;

  /**
   * @param options The server and credentials; unset fields come from `MLFLOW_TRACKING_URI`,
   *   `MLFLOW_TRACKING_TOKEN`, `MLFLOW_TRACKING_USERNAME`/`PASSWORD`.
   * @throws MlflowConfigError when no tracking URI is set or a setting is invalid.
   */
  constructor(options: MlflowConnectionOptions | MlflowConnection = {}, env: NodeJS.ProcessEnv = process.env) {
    const connection = 'baseUrl' in options ? options : resolveConnection(options, env);
    if (connection === undefined)
      throw new MlflowConfigError('no MLflow tracking server: set MLFLOW_TRACKING_URI or the trackingUri option');
    this.connection = connection;
  }

  /** Creates a registered model. MLflow answers `RESOURCE_ALREADY_EXISTS` when the name is taken. */
  async createRegisteredModel(name: string, tags: MlflowTag[] = [], description?: string) {
    const body = await this.post('registered-models/create', { name, tags, description });
    return body.registered_model as MlflowRegisteredModel;
  }

  async getRegisteredModel(name: string) {
    const body = await this.get('registered-models/get', { name });
    return body.registered_model as MlflowRegisteredModel;
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.post('registered-models/set-tag', { name, key, value });
  }

  /** Creates the next version of a registered model; `source` is where the model is (any URI MLflow accepts). */
  async createModelVersion(name: string, source: string, tags: MlflowTag[] = [], description?: string) {
    const body = await this.post('model-versions/create', { name, source, tags, description });
    return body.model_version as MlflowModelVersion;
  }

  async getModelVersion(name: string, version: string) {
    const body = await this.get('model-versions/get', { name, version });
    return body.model_version as MlflowModelVersion;
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.post('model-versions/set-tag', { name, version, key, value });
  }

  /** Model versions matching an MLflow filter, e.g. `name = 'mistral'` (first page, at most `maxResults`). */
  async searchModelVersions(filter: string, maxResults = 100) {
    const body = await this.get('model-versions/search', { filter, max_results: String(maxResults) });
    return (body.model_versions ?? []) as MlflowModelVersion[];
  }

  /** Points `alias` of a registered model at `version` (moving it if it pointed elsewhere). */
  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    await this.post('registered-models/alias', { name, alias, version });
  }

  /** The version an alias points at; an unknown alias fails (see `isNotFound`). */
  async getModelVersionByAlias(name: string, alias: string) {
    const body = await this.get('registered-models/alias', { name, alias });
    return body.model_version as MlflowModelVersion;
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    // MLflow reads a DELETE's parameters from its JSON body.
    await this.request('DELETE', 'registered-models/alias', undefined, { name, alias });
  }

  /** GET `/api/2.0/mlflow/<path>` with a query string. */
  get(path: string, query: Record<string, string>) {
    return this.request('GET', path, query, undefined);
  }

  /** POST `/api/2.0/mlflow/<path>` with a JSON body. */
  post(path: string, body: Record<string, unknown>) {
    return this.request('POST', path, undefined, body);
  }

  /**
   * A request with a raw body to a path of the server outside `/api/2.0/mlflow/` (the artifact
   * proxy, `api/2.0/mlflow-artifacts/...`); resolves to the answer's bytes. Same timeout, auth and
   * errors as the JSON calls. `path` is sent as given: encode its segments.
   */
  async requestBytes(
    method: 'GET' | 'PUT',
    path: string,
    body?: Uint8Array | string,
    contentType = 'application/octet-stream',
  ): Promise<Uint8Array> {
    const endpoint = `${method} ${path}`;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = contentType;
    const response = await this.exchange(
      endpoint,
      new URL(`${this.connection.baseUrl}/${path}`),
      method,
      headers,
      body,
    );
    const bytes = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
    if (!response.ok) throw errorOf(response.status, endpoint, new TextDecoder().decode(bytes));
    return bytes;
  }

  private async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Record<string, string> | undefined,
    body: Record<string, unknown> | undefined,
  ): Promise<Record<string, unknown>> {
    const endpoint = `${method} ${path}`;
    const url = new URL(`${this.connection.baseUrl}/api/2.0/mlflow/${path}`);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.exchange(
      endpoint,
      url,
      method,
      headers,
      body === undefined ? undefined : JSON.stringify(body),
    );
    const text = await response.text().catch(() => '');
    if (!response.ok) throw errorOf(response.status, endpoint, text);
    const json = jsonObject(text);
    if (json === undefined)
      throw new MlflowError(response.status, 'BAD_RESPONSE', endpoint, `not a JSON object: ${text.slice(0, 80)}`);
    return json;
  }

  /** One fetch with the auth header and the timeout; no answer becomes an `UNREACHABLE` or `TIMEOUT` error. */
  private async exchange(
    endpoint: string,
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
  ): Promise<Response> {
    if (this.connection.authorization !== undefined) headers.authorization = this.connection.authorization;
    try {
      return await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.connection.timeoutMs) });
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError';
      throw new MlflowError(
        0,
        timedOut ? 'TIMEOUT' : 'UNREACHABLE',
        endpoint,
        timedOut
          ? `no answer from ${this.connection.baseUrl} within ${this.connection.timeoutMs} ms`
          : `${this.connection.baseUrl} is unreachable (${String((error as Error)?.cause ?? error)})`,
        { cause: error },
      );
    }
  }
}

/** The body as a JSON object (an empty body is `{}`), or undefined. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
}

/** The error of a non-2xx answer: MLflow's `error_code` and message when the body has them. */
function errorOf(status: number, endpoint: string, text: string): MlflowError {
  const json = jsonObject(text);
  const code = typeof json?.error_code === 'string' ? json.error_code : `HTTP_${status}`;
  const detail = typeof json?.message === 'string' ? json.message : text;
  return new MlflowError(status, code, endpoint, detail.slice(0, MAX_DETAIL));
}
