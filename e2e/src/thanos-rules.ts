import { type PromSample, query } from './prometheus.js';

/** One alert as Thanos Rule's (and Prometheus') `/api/v1/alerts` lists it. */
export interface RuleAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

/** The pending and firing alerts of a ruler (Thanos Rule or Prometheus). */
export async function activeAlerts(ruleUrl: string): Promise<RuleAlert[]> {
  const body = (await (await fetch(`${ruleUrl}/api/v1/alerts`)).json()) as {
    status: string;
    // Prometheus names the list `alerts`; Thanos Rule (v0.42) `Alerts`.
    data?: { alerts?: RuleAlert[]; Alerts?: RuleAlert[] };
  };
  if (body.status !== 'success') throw new Error(`${ruleUrl}/api/v1/alerts: ${JSON.stringify(body)}`);
  return body.data?.alerts ?? body.data?.Alerts ?? [];
}

/** Rule groups of a ruler with each rule's health and last error (`/api/v1/rules`). */
export async function ruleHealth(
  ruleUrl: string,
): Promise<Array<{ group: string; name: string; health: string; lastError?: string }>> {
  const body = (await (await fetch(`${ruleUrl}/api/v1/rules`)).json()) as {
    data?: { groups: Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }> };
  };
  return (body.data?.groups ?? []).flatMap((g) =>
    g.rules.map((r) => ({ group: g.name, name: r.name, health: r.health, lastError: r.lastError })),
  );
}

/**
 * `expr` evaluated at `unixSeconds` by pinning every selector with PromQL's `@` modifier: the
 * caller writes `@AT` after each selector (`rate(x[5m] @AT)`). Lets a test compare a recorded
 * sample with the raw data at the recorded sample's own timestamp, and look at times after the
 * last sample (what an instant query will select once the lookback has passed).
 */
export async function queryAt(queryUrl: string, expr: string, unixSeconds: number): Promise<PromSample[]> {
  return query(queryUrl, expr.replaceAll('@AT', `@ ${unixSeconds.toFixed(3)}`));
}

/** Rows of an instant query as `labels -> value`, keyed by the listed labels joined with `/`. */
export function byLabels(rows: PromSample[], labels: string[]): Map<string, number> {
  return new Map(rows.map((r) => [labels.map((l) => r.metric[l] ?? '').join('/'), Number(r.value[1])]));
}
