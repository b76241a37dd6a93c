import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard } from './dashboard.js';
import { type Feature, featuresOf, VAR } from './metrics.js';

/**
 * Values for the dashboard's variables. A multi-value variable takes a list (one or more
 * values), `'All'` or nothing (= All, which the dashboard sends as `.*`).
 */
export interface QueryVariables {
  /** `$service_name`; e.g. `['demo-chat']`. */
  service_name?: readonly string[] | 'All';
  /** `$provider`; e.g. `['openai']`. */
  provider?: readonly string[] | 'All';
  /** `$model`; e.g. `['gpt-4o-mini', 'gpt-4o']`. */
  model?: readonly string[] | 'All';
  /** Replaces `$__rate_interval` (Grafana: max(4 x scrape interval, step + scrape interval)). Default `1m`. */
  rateInterval?: string;
  /** Replaces `$__interval` (Grafana: the query step). Default `15s`. */
  interval?: string;
  /** Replaces `$__range` (the dashboard's time range). Default `1h`. */
  range?: string;
}

/** One PromQL expression of the dashboard. */
export interface DashboardQuery {
  /** Where the expression comes from. */
  source: 'panel' | 'annotation' | 'variable';
  /** Panel id (panels), or 0. */
  panelId: number;
  /** Panel title, annotation name or variable name. */
  title: string;
  /** The query's refId (panels), the annotation or variable name otherwise. */
  refId: string;
  /** The expression as stored in the dashboard, variables still in place. */
  template: string;
  /** The expression with every variable replaced, ready for Prometheus' HTTP API. */
  expr: string;
  /** Grafana runs it as an instant query (table and stat panels, variables). */
  instant: boolean;
  /** What must be running for it to return series (e.g. `drift`, `recording-rules`). */
  requires: Feature[];
}

/** Grafana's regex escaping of one value of a multi-value variable in a Prometheus query. */
export function escapeRegexValue(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

/** How Grafana's Prometheus datasource interpolates a multi-value, include-All variable. */
export function formatMultiValue(values: readonly string[] | 'All' | undefined): string {
  if (values === undefined || values === 'All') return '.*';
  if (values.length === 0) throw new Error('a variable needs at least one value, or All');
  const escaped = values.map(escapeRegexValue);
  return escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join('|')})`;
}

/** Replaces every `$name` / `${name}` / `${name:format}` of the dashboard in `template`. */
export function substituteVariables(template: string, vars: QueryVariables = {}): string {
  const values: Record<string, string> = {
    __rate_interval: vars.rateInterval ?? '1m',
    __interval: vars.interval ?? '15s',
    __range: vars.range ?? '1h',
    [VAR.service]: formatMultiValue(vars.service_name),
    [VAR.provider]: formatMultiValue(vars.provider),
    [VAR.model]: formatMultiValue(vars.model),
  };
  return template.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const name = (braced ?? bare) as string;
    const value = values[name];
    if (value === undefined) throw new Error(`unknown dashboard variable ${match} in: ${template}`);
    return value;
  });
}

/** `label_values(<selector>, <label>)` as the PromQL that returns the same label values. */
function labelValuesToPromql(definition: string): string {
  const m = /^label_values\((.+),\s*(\w+)\)$/.exec(definition.trim());
  if (!m) throw new Error(`unsupported variable query: ${definition}`);
  return `group by (${m[2]}) (${m[1]})`;
}

function isRow(panel: Panel | RowPanel): panel is RowPanel {
  return panel.type === 'row';
}

interface PromTarget {
  refId?: string;
  expr?: string;
  instant?: boolean;
  format?: string;
}

/**
 * Every PromQL expression of the dashboard (panel queries, the deployment annotation, and the
 * variable queries as `group by (label) (selector)`), with the variables replaced by `vars`.
 * Each must parse and, on data from a running llm-otel pipeline, return at least one series
 * (skip those whose `requires` names a feature the pipeline does not run).
 */
export function dashboardQueries(vars: QueryVariables = {}, dashboard: Dashboard = buildDashboard()): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const add = (q: Omit<DashboardQuery, 'expr' | 'requires'>) =>
    out.push({ ...q, expr: substituteVariables(q.template, vars), requires: featuresOf(q.template) });

  const panels: Panel[] = [];
  for (const p of dashboard.panels ?? []) {
    if (isRow(p)) panels.push(...p.panels);
    else panels.push(p);
  }
  for (const panel of panels) {
    for (const target of (panel.targets ?? []) as PromTarget[]) {
      if (!target.expr) continue;
      add({
        source: 'panel',
        panelId: panel.id ?? 0,
        title: panel.title ?? '',
        refId: target.refId ?? '',
        template: target.expr,
        instant: target.instant === true,
      });
    }
  }
  for (const annotation of dashboard.annotations.list ?? []) {
    if (!annotation.expr) continue;
    add({
      source: 'annotation',
      panelId: 0,
      title: annotation.name,
      refId: annotation.name,
      template: annotation.expr,
      instant: false,
    });
  }
  for (const variable of dashboard.templating.list ?? []) {
    if (variable.type !== 'query' || typeof variable.definition !== 'string') continue;
    add({
      source: 'variable',
      panelId: 0,
      title: variable.name,
      refId: variable.name,
      template: labelValuesToPromql(variable.definition),
      instant: true,
    });
  }
  return out;
}
