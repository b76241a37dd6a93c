// Value formatting and threshold colours of the README picture, close to what Grafana shows for
// the dashboard's units. The functions run in Node (tests) and in the picture's page: render.ts
// inlines their source (`PICTURE_FORMAT_SCRIPT`), so each one may only use its arguments, the
// other functions of this file and GRAFANA_COLORS: no imports, no other module-level names.

/** Grafana's named threshold colours (dark theme), as used in the dashboard JSON's steps. */
export const GRAFANA_COLORS: Readonly<Record<string, string>> = {
  green: '#73bf69',
  yellow: '#fade2a',
  orange: '#ff9830',
  red: '#f2495c',
  blue: '#5794f2',
  purple: '#b877d9',
  text: '#ccccdc',
};

/**
 * Decimals Grafana's `currencyUSD` uses when the panel fixes none: cents for amounts from $1,
 * and enough for two significant digits below (at most 4: $0.0012). 0 for 0.
 */
export function currencyDecimals(amount: number): number {
  const a = Math.abs(amount);
  if (a === 0) return 0;
  return Math.min(4, Math.max(2, 1 - Math.floor(Math.log10(a))));
}

/**
 * Decimals that show every tick of an axis whose ticks are `increment` apart (in the unit's
 * display scale) without rounding two ticks to the same text: 0.25 -> 2, 5 -> 0.
 */
export function tickDecimals(increment: number): number {
  const x = Math.abs(increment);
  if (!Number.isFinite(x) || x === 0) return 0;
  for (let d = 0; d < 6; d++) if (Math.abs(Number(x.toFixed(d)) - x) <= x * 1e-6) return d;
  return 6;
}

/**
 * A value as Grafana's unit shows it: `s` (ms below 1 s), `percentunit` (0.1 -> 10%), `reqpm`,
 * `currencyUSD` ($, K/M/B above 1,000), `suffix:<text>`, else a plain number. `decimals` is the
 * panel's fixed number of decimals (kept with trailing zeros, as Grafana does); without it the
 * decimals follow the value's size. null, undefined or NaN -> '–'.
 */
export function formatValue(unit: string, v: number | null | undefined, decimals?: number | null): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  // Fixed decimals when the panel sets them; else `auto` decimals with trailing zeros dropped.
  const num = (n: number, auto: number) =>
    decimals === null || decimals === undefined ? Number(n.toFixed(auto)).toString() : n.toFixed(decimals);
  if (unit === 's') {
    if (a === 0) return '0 s';
    return a < 1 ? `${num(v * 1000, 0)} ms` : `${num(v, a < 10 ? 2 : 1)} s`;
  }
  if (unit === 'percentunit') return `${num(v * 100, a < 0.1 ? 2 : 1)}%`;
  if (unit === 'reqpm') return `${num(v, a < 10 ? 2 : 1)} req/min`;
  if (unit === 'currencyUSD') {
    const sign = v < 0 ? '-' : '';
    const scales: [number, string][] = [
      [1e9, 'B'],
      [1e6, 'M'],
      [1e3, 'K'],
    ];
    for (const [size, suffix] of scales) {
      if (a >= size) return `${sign}$${num(a / size, 1)}${suffix}`;
    }
    const d = decimals === null || decimals === undefined ? currencyDecimals(a) : decimals;
    return `${sign}$${a.toFixed(d)}`;
  }
  if (unit.startsWith('suffix:')) {
    return (a >= 10000 ? `${num(v / 1000, 1)}K` : num(v, a < 10 ? 2 : 0)) + unit.slice(7);
  }
  return num(v, a < 1 ? 3 : 2);
}

/** The colour of `v` under Grafana's absolute threshold steps (the last step at or below it wins). */
export function thresholdColor(steps: readonly { value: number | null; color: string }[], v: number | null): string {
  let color = 'text';
  for (const s of steps) if (s.value === null || (v !== null && v >= s.value)) color = s.color;
  return GRAFANA_COLORS[color] ?? color;
}

/** The functions above as a script for the picture's page (they are self-contained). */
export const PICTURE_FORMAT_SCRIPT = [
  `const GRAFANA_COLORS = ${JSON.stringify(GRAFANA_COLORS)};`,
  currencyDecimals.toString(),
  tickDecimals.toString(),
  formatValue.toString(),
  thresholdColor.toString(),
].join('\n');
