// Reads and writes MLflow through its REST API directly (not through our client), as another tool would.

export async function rest(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  const url = new URL(`${base}/api/2.0/mlflow/${path}`);
  if (method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: method === 'POST' ? JSON.stringify(params) : undefined,
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

interface Version {
  version: string;
  tags?: Array<{ key: string; value: string }>;
}

/** The version an alias points at, with its tags as an object; undefined when the alias or model is missing. */
export async function aliasTarget(base: string, name: string, alias = 'production') {
  const url = new URL(`${base}/api/2.0/mlflow/registered-models/alias`);
  url.searchParams.set('name', name);
  url.searchParams.set('alias', alias);
  const response = await fetch(url);
  if (!response.ok) return undefined;
  const { model_version: v } = (await response.json()) as { model_version: Version };
  return { version: v.version, tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value])) };
}

/** All MLflow versions of a model. */
export async function versionsOf(base: string, name: string): Promise<Version[]> {
  const body = await rest(base, 'GET', 'model-versions/search', { filter: `name = '${name}'` });
  return (body.model_versions ?? []) as Version[];
}
