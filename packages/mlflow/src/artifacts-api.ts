import type { MlflowClient } from './client.js';
import { MlflowError } from './errors.js';

/**
 * The artifact endpoints, on {@link MlflowClient}: files of a run stored through the tracking
 * server's artifact proxy (`mlflow server --serve-artifacts`, MLflow's default since 2.0), so the
 * app needs no credentials of the artifact store itself.
 */

/** A file or directory of a run's artifacts, as `artifacts/list` returns it. */
export interface MlflowArtifactFile {
  /** The path relative to the run's artifact root, e.g. `samples/concise/20261130T171500000Z-1.jsonl`. */
  path: string;
  is_dir: boolean;
  /** Bytes (files only). */
  file_size?: number;
}

/**
 * A request refused before it was sent: an artifact root the proxy does not serve
 * (`UNSUPPORTED_ARTIFACT_STORE`) or a bad path (`INVALID_ARTIFACT_PATH`). Never transient: trying
 * again gives the same answer.
 */
export class MlflowArtifactError extends MlflowError {
  override get transient(): boolean {
    return false;
  }
}

const PROXY_SCHEME = 'mlflow-artifacts:';
/** The longest artifact path we write or read (MLflow keeps paths short in its UI; ours are short). */
const MAX_PATH_LENGTH = 1024;

/**
 * The proxy path of a run's artifact root: `mlflow-artifacts:/1/<run>/artifacts` (or with a
 * `//host:port` authority) becomes `1/<run>/artifacts`.
 * @throws MlflowArtifactError `UNSUPPORTED_ARTIFACT_STORE` for any other URI (an `s3://` or local root: the
 *   server was started without `--serve-artifacts` and the app would need the store's credentials).
 */
export function artifactRootPath(artifactUri: string): string {
  if (!artifactUri.startsWith(PROXY_SCHEME))
    throw new MlflowArtifactError(
      0,
      'UNSUPPORTED_ARTIFACT_STORE',
      'artifact root',
      `the run's artifact URI ${JSON.stringify(artifactUri.slice(0, 200))} is not served by the tracking server: start it with --serve-artifacts (mlflow-artifacts:/ roots)`,
    );
  let rest = artifactUri.slice(PROXY_SCHEME.length);
  // mlflow-artifacts://host:port/path names the server: we talk to the tracking server anyway.
  if (rest.startsWith('//')) rest = rest.slice(rest.indexOf('/', 2) === -1 ? rest.length : rest.indexOf('/', 2));
  let start = 0;
  let end = rest.length;
  while (start < end && rest[start] === '/') start++;
  while (end > start && rest[end - 1] === '/') end--;
  const root = rest.slice(start, end);
  checkArtifactPath(root, 'artifact root');
  return root;
}

/**
 * Checks a relative artifact path: `/`-separated segments, none empty, `.` or `..`, no backslash or
 * control character (linear scan, no regex on data).
 * @throws MlflowArtifactError `INVALID_ARTIFACT_PATH` naming the path.
 */
export function checkArtifactPath(path: string, what = 'artifact path'): void {
  const bad = (why: string) =>
    new MlflowArtifactError(0, 'INVALID_ARTIFACT_PATH', what, `${JSON.stringify(path.slice(0, 200))} ${why}`);
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) throw bad(`must be 1 to ${MAX_PATH_LENGTH} characters`);
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) throw bad('must not hold control characters or backslashes');
  }
  for (const segment of path.split('/'))
    if (segment === '' || segment === '.' || segment === '..')
      throw bad('must be relative, without empty, . or .. segments');
}

/** The URL path of an artifact under a run's root, each segment percent-encoded. */
function proxyPath(artifactUri: string, path: string): string {
  checkArtifactPath(path);
  const segments = `${artifactRootPath(artifactUri)}/${path}`.split('/').map(encodeURIComponent);
  return `api/2.0/mlflow-artifacts/artifacts/${segments.join('/')}`;
}

/**
 * Stores `body` as the artifact `path` of the run whose artifact root is `artifactUri` (from the
 * run's info), replacing a file of the same path.
 */
export async function uploadArtifact(
  client: MlflowClient,
  artifactUri: string,
  path: string,
  body: string | Uint8Array,
  contentType = 'application/octet-stream',
): Promise<void> {
  await client.requestBytes('PUT', proxyPath(artifactUri, path), body, contentType);
}

/** The bytes of the artifact `path` of the run whose artifact root is `artifactUri`. A missing file fails with `RESOURCE_DOES_NOT_EXIST`. */
export async function downloadArtifact(client: MlflowClient, artifactUri: string, path: string): Promise<Uint8Array> {
  return client.requestBytes('GET', proxyPath(artifactUri, path));
}

/** The files and directories directly under `path` of a run's artifacts (its root when `path` is omitted). */
export async function listArtifacts(client: MlflowClient, runId: string, path?: string): Promise<MlflowArtifactFile[]> {
  const query: Record<string, string> = { run_id: runId };
  if (path !== undefined) {
    checkArtifactPath(path);
    query.path = path;
  }
  const body = await client.get('artifacts/list', query);
  return (Array.isArray(body.files) ? body.files : []) as MlflowArtifactFile[];
}
