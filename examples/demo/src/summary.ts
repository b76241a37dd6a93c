/**
 * The demo's closing summary of spend and rate-limit headroom, read from the Prometheus text that
 * register()'s /metrics serves (the same numbers a dashboard would show).
 */

/** One sample line of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Reads the `{a="x",b="y"}` label set starting at `text[start]` (just after `{`); returns the labels
 * and the index after `}`. One pass over the characters, escapes (`\\`, `\"`, `\n`) decoded.
 */
function readLabels(text: string, start: number): { labels: Record<string, string>; end: number } | undefined {
  const labels: Record<string, string> = {};
  let i = start;
  while (i < text.length) {
    if (text[i] === '}') return { labels, end: i + 1 };
    if (text[i] === ',') i++;
    const eq = text.indexOf('="', i);
    if (eq < 0) return undefined;
    const key = text.slice(i, eq);
    let value = '';
    for (i = eq + 2; i < text.length && text[i] !== '"'; i++) {
      if (text[i] === '\\' && i + 1 < text.length) {
        i++;
        value += text[i] === 'n' ? '\n' : text[i];
      } else value += text[i];
    }
    labels[key] = value;
    i++; // the closing quote
  }
  return undefined;
}

/** The samples of the Prometheus text format (comments and unreadable lines skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      const read = readLabels(line, brace + 1);
      if (!read) continue;
      name = line.slice(0, brace);
      labels = read.labels;
      rest = line.slice(read.end);
    } else {
      if (space < 0) continue;
      name = line.slice(0, space);
      rest = line.slice(space);
    }
    const value = Number(rest.trim().split(' ')[0]);
    if (!Number.isNaN(value)) samples.push({ name, labels, value });
  }
  return samples;
}

/** The spend of one provider and request model, in US dollars. */
export interface Spend {
  provider: string;
  model: string;
  usd: number;
  /** By `gen_ai_token_type` (they partition the call, so they add up to `usd`). */
  byTokenType: Map<string, number>;
}

/** `llm_cost_usd_total` summed by provider and request model, most expensive first. */
export function spendByModel(samples: readonly Sample[]): Spend[] {
  const rows = new Map<string, Spend>();
  for (const s of samples) {
    if (s.name !== 'llm_cost_usd_total') continue;
    const provider = s.labels.gen_ai_provider_name ?? '';
    const model = s.labels.gen_ai_request_model ?? '';
    const key = `${provider}\u0000${model}`;
    let row = rows.get(key);
    if (!row) {
      row = { provider, model, usd: 0, byTokenType: new Map() };
      rows.set(key, row);
    }
    row.usd += s.value;
    const type = s.labels.gen_ai_token_type ?? '';
    row.byTokenType.set(type, (row.byTokenType.get(type) ?? 0) + s.value);
  }
  return [...rows.values()].sort((a, b) => b.usd - a.usd || a.model.localeCompare(b.model));
}

/** The latest rate-limit values of one provider, server and kind. */
export interface Headroom {
  provider: string;
  server: string;
  kind: string;
  remaining: number | undefined;
  limit: number | undefined;
  resetSeconds: number | undefined;
}

const HEADROOM_FIELDS: Record<string, 'remaining' | 'limit' | 'resetSeconds'> = {
  llm_rate_limit_remaining: 'remaining',
  llm_rate_limit_limit: 'limit',
  llm_rate_limit_reset_seconds: 'resetSeconds',
};

/** The `llm_rate_limit_*` gauges joined per provider, server and kind. */
export function headroomByKind(samples: readonly Sample[]): Headroom[] {
  const rows = new Map<string, Headroom>();
  for (const s of samples) {
    const field = HEADROOM_FIELDS[s.name];
    if (field === undefined) continue;
    const provider = s.labels.gen_ai_provider_name ?? '';
    const server = s.labels.server_address ?? '';
    const kind = s.labels.llm_rate_limit_kind ?? '';
    const key = `${provider}\u0000${server}\u0000${kind}`;
    let row = rows.get(key);
    if (!row) {
      row = { provider, server, kind, remaining: undefined, limit: undefined, resetSeconds: undefined };
      rows.set(key, row);
    }
    row[field] = s.value;
  }
  return [...rows.values()].sort(
    (a, b) => a.provider.localeCompare(b.provider) || a.server.localeCompare(b.server) || a.kind.localeCompare(b.kind),
  );
}

const usd = (n: number) => `$${n.toFixed(6)}`;

/** The spend lines of the summary: provider, model, total, and the token types that cost something. */
export function formatSpend(rows: readonly Spend[]): string[] {
  if (rows.length === 0) return ['  no priced calls'];
  const providerWidth = Math.max(...rows.map((r) => r.provider.length));
  const modelWidth = Math.max(...rows.map((r) => r.model.length));
  const lines = rows.map((r) => {
    const parts = [...r.byTokenType]
      .filter(([, value]) => value > 0)
      .map(([type, value]) => `${type} ${value.toFixed(6)}`)
      .join(' + ');
    const line = `  ${r.provider.padEnd(providerWidth)}  ${r.model.padEnd(modelWidth)}  ${usd(r.usd)}`;
    return r.usd > 0 ? `${line}  = ${parts}` : line;
  });
  const total = rows.reduce((sum, r) => sum + r.usd, 0);
  lines.push(`  ${'total'.padEnd(providerWidth + modelWidth + 2)}  ${usd(total)}`);
  return lines;
}

/** The headroom lines of the summary: how much is left of each window, and when it resets. */
export function formatHeadroom(rows: readonly Headroom[]): string[] {
  if (rows.length === 0) return ['  none reported (the servers sent no rate-limit headers)'];
  const providerWidth = Math.max(...rows.map((r) => r.provider.length));
  const serverWidth = Math.max(...rows.map((r) => r.server.length));
  const kindWidth = Math.max(...rows.map((r) => r.kind.length));
  return rows.map((r) => {
    const left =
      r.remaining === undefined
        ? 'remaining not reported'
        : r.limit === undefined || r.limit === 0
          ? `${r.remaining} left`
          : `${r.remaining} of ${r.limit} left (${((100 * r.remaining) / r.limit).toFixed(1)}%)`;
    const reset = r.resetSeconds === undefined ? '' : `, resets in ${r.resetSeconds.toFixed(1)} s`;
    return `  ${r.provider.padEnd(providerWidth)}  ${r.server.padEnd(serverWidth)}  ${r.kind.padEnd(kindWidth)}  ${left}${reset}`;
  });
}
