// Renders the dashboard's main panels to a PNG (the README picture) from a real Prometheus:
// runs each panel's PromQL through the HTTP API (query_range / query), draws the series with
// uPlot (the charting library Grafana itself uses, loaded from node_modules, no CDN) in headless
// Chromium, and takes a screenshot.
//
//   node grafana/dist/render.js --prometheus http://127.0.0.1:9090 [--from -6h] [--to now]
//        [--out grafana/dashboards/ml-service-metrics.png] [--service a,b] [--provider p] [--model m]
//        [--rate-interval 2m] [--width 1600] [--chromium /usr/bin/chromium]
//        [--save-data results.json] [--data results.json  (render saved results, no Prometheus)]
//
// Chromium: Debian's package (`apt-get install -y chromium`), started headless with a fresh
// profile directory that is removed afterwards.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, DASHBOARD_TITLE } from './dashboard.js';
import { PICTURE_FORMAT_SCRIPT } from './picture-format.js';
import { dashboardQueries, type QueryVariables } from './queries.js';

/** A block of the picture: an optional heading, a row of stats, then charts two per row. */
export interface PictureSection {
  /** Heading above the block (the dashboard row's title); none for the first block. */
  title?: string;
  /** Panel ids, in drawing order. */
  stats: readonly number[];
  charts: readonly number[];
}

/**
 * Panels in the picture: the overview stats and the main charts, then the row "Cost and rate
 * limits" (its four stats; cost per hour by model, token mix, rate-limit headroom, 429s).
 */
export const PICTURE_SECTIONS: readonly PictureSection[] = [
  { stats: [1, 2, 3, 4], charts: [5, 6, 7, 8, 9, 10, 13, 17] },
  { title: 'Cost and rate limits', stats: [19, 20, 21, 22], charts: [23, 26, 27, 28] },
];
/** "Predictions / min": its last sample marks the end of the data (see fetchPictureData). */
const CALL_RATE_STAT = 1;
/** Every stat of the picture, in order. */
export const PICTURE_STATS: readonly number[] = PICTURE_SECTIONS.flatMap((s) => s.stats);
/** Every chart of the picture, in order. */
export const PICTURE_CHARTS: readonly number[] = PICTURE_SECTIONS.flatMap((s) => s.charts);

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
] as const;

export interface RenderOptions {
  /** Prometheus base URL, e.g. http://127.0.0.1:9090 (not needed with `data`). */
  prometheus?: string;
  /** Unix seconds. */
  start: number;
  end: number;
  /** Query step in seconds; default: range / 240, at least 15. */
  step?: number;
  vars?: QueryVariables;
  out: string;
  width?: number;
  chromium?: string;
  /** Render these saved results instead of querying Prometheus. */
  data?: PictureData;
  /** Also write the fetched results here (to re-render without Prometheus). */
  saveData?: string;
}

export interface ChartSeries {
  name: string;
  /** One value per timestamp of `PictureData.times`; null = no sample. */
  values: (number | null)[];
}

export interface PictureChart {
  id: number;
  title: string;
  unit: string;
  min?: number;
  max?: number;
  /** The panel's fixed decimals (axis labels), if it sets them. */
  decimals?: number;
  /** Dashed red line (alert threshold). */
  threshold?: number;
  series: ChartSeries[];
}

export interface PictureStat {
  id: number;
  title: string;
  unit: string;
  value: number | null;
  /** The panel's fixed decimals, if it sets them. */
  decimals?: number;
  /** Threshold steps: value >= step.value takes step.color (a Grafana colour name or #rgb). */
  steps: { value: number | null; color: string }[];
}

export interface PictureData {
  title: string;
  start: number;
  end: number;
  step: number;
  /** Unix seconds of every point. */
  times: number[];
  stats: PictureStat[];
  charts: PictureChart[];
  /** Deployment times (unix seconds) with their titles, from the annotation query. */
  deployments: { time: number; title: string }[];
  /** How stats and charts are grouped (by panel id); absent: one block of everything. */
  sections?: PictureSection[];
}

/** What the page drew, read back from it after rendering (texts as shown). */
export interface RenderedPicture {
  /** Section headings, in order. */
  headings: string[];
  stats: { title: string; text: string; color: string }[];
  charts: {
    title: string;
    /** Legend entries. */
    legend: string[];
    /** Labels of the value axis, bottom to top. */
    axis: string[];
    /** Label of the dashed threshold line, if drawn. */
    threshold?: string;
    noData: boolean;
  }[];
}

interface PromSample {
  metric: Record<string, string>;
  values?: [number, string][];
  value?: [number, string];
}

async function promQuery(base: string, params: Record<string, string>, instant: boolean): Promise<PromSample[]> {
  const url = new URL(instant ? '/api/v1/query' : '/api/v1/query_range', base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; error?: string; data?: { result: PromSample[] } };
  if (body.status !== 'success' || !body.data) {
    throw new Error(`Prometheus rejected ${params.query}: ${body.error ?? res.status}`);
  }
  return body.data.result;
}

/** Grafana's legend templating: `{{label}}`; `__auto` or empty = the series' labels. */
export function legendName(template: string | undefined, metric: Record<string, string>): string {
  if (!template || template === '__auto') {
    const labels = Object.entries(metric).filter(([k]) => k !== '__name__');
    return labels.length ? labels.map(([k, v]) => `${k}="${v}"`).join(', ') : (metric.__name__ ?? 'value');
  }
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, label: string) => metric[label] ?? '');
}

function flatPanels(): Panel[] {
  const out: Panel[] = [];
  for (const p of buildDashboard().panels ?? []) {
    if (p.type === 'row') out.push(...(p as RowPanel).panels);
    else out.push(p as Panel);
  }
  return out;
}

function toNumber(s: string): number | null {
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/** Runs the picture's queries against Prometheus. */
export async function fetchPictureData(
  prometheus: string,
  start: number,
  end: number,
  step: number,
  vars: QueryVariables = {},
): Promise<PictureData> {
  const panels = new Map(flatPanels().map((p) => [p.id ?? 0, p]));
  const queries = dashboardQueries(vars);
  const times: number[] = [];
  for (let t = start; t <= end; t += step) times.push(t);
  const range = { start: String(start), end: String(end), step: String(step) };

  const charts: PictureChart[] = [];
  for (const id of PICTURE_CHARTS) {
    const panel = panels.get(id);
    if (!panel) throw new Error(`panel ${id} missing`);
    const defaults = panel.fieldConfig?.defaults;
    const red = defaults?.thresholds?.steps.find((s) => s.color === 'red' && s.value !== null);
    const chart: PictureChart = { id, title: panel.title ?? '', unit: defaults?.unit ?? '', series: [] };
    if (defaults?.min !== undefined) chart.min = defaults.min;
    if (defaults?.max !== undefined) chart.max = defaults.max;
    if (defaults?.decimals !== undefined) chart.decimals = defaults.decimals;
    if (red?.value !== undefined && red.value !== null) chart.threshold = red.value;
    const targets = (panel.targets ?? []) as { refId?: string; legendFormat?: string }[];
    for (const q of queries.filter((x) => x.source === 'panel' && x.panelId === id)) {
      const legend = targets.find((t) => t.refId === q.refId)?.legendFormat;
      for (const s of await promQuery(prometheus, { query: q.expr, ...range }, false)) {
        const byTime = new Map((s.values ?? []).map(([t, v]) => [Math.round(t), toNumber(v)]));
        chart.series.push({ name: legendName(legend, s.metric), values: times.map((t) => byTime.get(t) ?? null) });
      }
    }
    chart.series.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    charts.push(chart);
  }

  // Stats show their newest sample (Grafana's `lastNotNull`), but none newer than the last
  // sample of the call rate (stat 1, which has no default): when the history ends before `end`
  // (canned or saved data), a query with a default such as `or vector(0)` would otherwise show
  // that default instead of its last real value.
  const results = new Map<number, PromSample[]>();
  for (const id of PICTURE_STATS) {
    const q = queries.find((x) => x.source === 'panel' && x.panelId === id);
    if (!q) throw new Error(`panel ${id} missing`);
    results.set(id, await promQuery(prometheus, { query: q.expr, ...range }, false));
  }
  const dataEnd = results.get(CALL_RATE_STAT)?.[0]?.values?.at(-1)?.[0] ?? end;
  const stats: PictureStat[] = [];
  for (const id of PICTURE_STATS) {
    const panel = panels.get(id);
    if (!panel) throw new Error(`panel ${id} missing`);
    const last = (results.get(id)?.[0]?.values ?? [])
      .filter(([t]) => t <= dataEnd)
      .map(([, v]) => toNumber(v))
      .filter((v): v is number => v !== null)
      .at(-1);
    const stat: PictureStat = {
      id,
      title: panel.title ?? '',
      unit: panel.fieldConfig?.defaults.unit ?? '',
      value: last ?? null,
      steps: panel.fieldConfig?.defaults.thresholds?.steps ?? [],
    };
    const decimals = panel.fieldConfig?.defaults.decimals;
    if (decimals !== undefined) stat.decimals = decimals;
    stats.push(stat);
  }

  const deployments: PictureData['deployments'] = [];
  const annotation = queries.find((x) => x.source === 'annotation');
  if (annotation) {
    const seen = new Set<number>();
    for (const s of await promQuery(prometheus, { query: annotation.expr, ...range }, false)) {
      for (const [, v] of s.values ?? []) {
        const t = Math.round(Number(v) / 1000);
        if (t >= start && t <= end && !seen.has(t)) {
          seen.add(t);
          deployments.push({ time: t, title: legendName('{{llm_model_name}} {{llm_model_version}}', s.metric) });
        }
      }
    }
  }
  const sections = PICTURE_SECTIONS.map((s) => ({ ...s, stats: [...s.stats], charts: [...s.charts] }));
  return { title: DASHBOARD_TITLE, start, end, step, times, stats, charts, deployments, sections };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page: inline uPlot, the data as JSON, and a script that draws everything. */
export function pictureHtml(data: PictureData, width: number): string {
  const require = createRequire(import.meta.url);
  const uplotDir = resolve(require.resolve('uplot'), '..');
  const uplotJs = readFileSync(join(uplotDir, 'uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(join(uplotDir, 'uPlot.min.css'), 'utf8');
  const range = `${new Date(data.start * 1000).toISOString().slice(0, 16)}Z – ${new Date(data.end * 1000).toISOString().slice(0, 16)}Z`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(data.title)}</title>
<style>${uplotCss}
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; width: ${width}px; background: #111217; color: #ccccdc;
  font: 13px/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
header { display: flex; justify-content: space-between; align-items: baseline; margin: 0 4px 12px; }
h1 { font-size: 20px; font-weight: 500; margin: 0; color: #fff; }
header span { color: #8e8e99; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin-bottom: 10px; }
.stats { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin-bottom: 10px; }
h2.row { font-size: 16px; font-weight: 500; margin: 18px 4px 10px; color: #ccccdc; }
.panel { background: #181b1f; border: 1px solid #2c3235; border-radius: 4px; padding: 8px 10px; }
.panel h3 { font-size: 13px; font-weight: 500; margin: 0 0 6px; color: #ccccdc; }
.stat .v { font-size: 34px; font-weight: 500; text-align: center; padding: 4px 0 6px; }
.u-legend { font-size: 11px; text-align: left; color: #ccccdc; }
.u-legend .u-marker { width: 12px; height: 3px; }
.u-legend th { font-weight: 400; }
.u-legend td { display: none; }
.u-legend tr.u-series { margin-right: 10px; }
</style></head><body>
<header><h1>${escapeHtml(data.title)}</h1><span>llm-otel · ${escapeHtml(range)}</span></header>
<main id="sections"></main>
<script>${uplotJs}</script>
<script>${PICTURE_FORMAT_SCRIPT}</script>
<script>
const DATA = ${JSON.stringify(data).replace(/</g, '\\u003c')};
const WIDTH = ${width};
const PALETTE = ['#73bf69', '#f2cc0c', '#8ab8ff', '#ff780a', '#f2495c', '#5794f2', '#b877d9', '#705da0', '#37872d', '#fade2a', '#447ebc', '#c15c17'];
// What was drawn, read back by renderPng (texts as shown, canvas labels included).
const REPORT = { headings: [], stats: [], charts: [] };
const SECTIONS = DATA.sections || [{ stats: DATA.stats.map((s) => s.id), charts: DATA.charts.map((c) => c.id) }];
const chartWidth = Math.floor((WIDTH - 32 - 10) / 2) - 22;
const x = DATA.times;
function drawStat(s, parent) {
  const el = document.createElement('div');
  el.className = 'panel stat';
  el.innerHTML = '<h3></h3><div class="v"></div>';
  el.querySelector('h3').textContent = s.title;
  const v = el.querySelector('.v');
  v.textContent = s.value === null ? 'No data' : formatValue(s.unit, s.value, s.decimals);
  v.style.color = thresholdColor(s.steps, s.value);
  parent.appendChild(el);
  REPORT.stats.push({ title: s.title, text: v.textContent, color: v.style.color });
}
function drawChart(c, parent) {
  const el = document.createElement('div');
  el.className = 'panel';
  el.innerHTML = '<h3></h3>';
  el.querySelector('h3').textContent = c.title;
  parent.appendChild(el);
  const report = { title: c.title, legend: c.series.map((s) => s.name), axis: [], noData: c.series.length === 0 };
  REPORT.charts.push(report);
  if (c.series.length === 0) {
    const p = document.createElement('div');
    p.style.cssText = 'height:230px;display:flex;align-items:center;justify-content:center;color:#8e8e99';
    p.textContent = 'No data';
    el.appendChild(p);
    return;
  }
  if (c.threshold !== undefined) report.threshold = formatValue(c.unit, c.threshold, c.decimals);
  // Axis labels: the panel's decimals; money always with the decimals its tick spacing needs.
  const axisLabels = (vals, incr) => {
    const d = c.decimals !== undefined ? c.decimals : c.unit === 'currencyUSD' ? tickDecimals(incr) : undefined;
    return vals.map((v) => formatValue(c.unit, v, d));
  };
  const opts = {
    width: chartWidth,
    height: 230,
    cursor: { show: false },
    legend: { show: true, live: false },
    scales: { x: { time: true }, y: { range: (u, lo, hi) => {
      let min = c.min !== undefined ? Math.min(c.min, lo) : lo;
      let max = c.max !== undefined ? c.max : hi;
      if (c.threshold !== undefined) max = Math.max(max, c.threshold * 1.1);
      if (min === max) max = min + 1;
      return [min, max * 1.02];
    } } },
    axes: [
      { stroke: '#8e8e99', grid: { stroke: '#22252b' }, ticks: { stroke: '#22252b' }, space: 70,
        values: (u, vals) => vals.map((v) => new Date(v * 1000).toISOString().slice(11, 16)) },
      { stroke: '#8e8e99', grid: { stroke: '#22252b' }, ticks: { stroke: '#22252b' }, space: 40,
        size: (u, vals) => {
          if (!vals) return 50;
          u.ctx.font = '12px DejaVu Sans, sans-serif';
          return Math.ceil(Math.max(...vals.map((v) => u.ctx.measureText(v).width))) + 22;
        },
        values: (u, vals, axisIdx, space, incr) => {
          const labels = axisLabels(vals, incr);
          report.axis = labels;
          return labels;
        } },
    ],
    series: [{}].concat(c.series.map((s, i) => ({
      label: s.name, stroke: PALETTE[i % PALETTE.length], width: 1.6, points: { show: false },
      fill: PALETTE[i % PALETTE.length] + '14', spanGaps: false,
    }))),
    hooks: { draw: [(u) => {
      const ctx = u.ctx;
      ctx.save();
      ctx.setLineDash([6, 5]);
      ctx.lineWidth = 1.5 * devicePixelRatio;
      if (c.threshold !== undefined) {
        const y = u.valToPos(c.threshold, 'y', true);
        ctx.strokeStyle = GRAFANA_COLORS.red;
        ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
      }
      ctx.strokeStyle = GRAFANA_COLORS.purple;
      for (const d of DATA.deployments) {
        const px = u.valToPos(d.time, 'x', true);
        ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
      }
      ctx.restore();
    }] },
  };
  new uPlot(opts, [x].concat(c.series.map((s) => s.values)), el);
}
const byId = (list, id) => list.find((p) => p.id === id);
for (const section of SECTIONS) {
  const root = document.getElementById('sections');
  if (section.title) {
    const h = document.createElement('h2');
    h.className = 'row';
    h.textContent = section.title;
    root.appendChild(h);
    REPORT.headings.push(section.title);
  }
  const stats = section.stats.map((id) => byId(DATA.stats, id)).filter(Boolean);
  const charts = section.charts.map((id) => byId(DATA.charts, id)).filter(Boolean);
  if (stats.length) {
    const row = document.createElement('div');
    row.className = 'stats';
    root.appendChild(row);
    for (const s of stats) drawStat(s, row);
  }
  if (charts.length) {
    const grid = document.createElement('div');
    grid.className = 'grid';
    root.appendChild(grid);
    for (const c of charts) drawChart(c, grid);
  }
}
window.__report = REPORT;
window.__rendered = true;
</script></body></html>`;
}

/** Screenshots the picture's page in headless Chromium; returns what the page drew. */
export async function renderPng(
  html: string,
  out: string,
  width: number,
  chromium = '/usr/bin/chromium',
): Promise<RenderedPicture> {
  const { chromium: launcher } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'llm-otel-render-'));
  try {
    const context = await launcher.launchPersistentContext(profile, {
      executablePath: chromium,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      viewport: { width: width + 32, height: 900 },
      deviceScaleFactor: 1,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      // Nothing may leave the machine: the page is self-contained.
      await page.route(/^(?!data:|about:)/, (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as unknown as { __rendered?: boolean }).__rendered === true, null, {
        timeout: 30_000,
      });
      await page.screenshot({ path: out, fullPage: true });
      return await page.evaluate(() => (window as unknown as { __report: RenderedPicture }).__report);
    } finally {
      await context.close();
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Fetches (or loads) the data and writes the PNG. Returns the data drawn. */
export async function renderDashboardPicture(options: RenderOptions): Promise<PictureData> {
  const width = options.width ?? 1600;
  let data = options.data;
  if (!data) {
    if (!options.prometheus) throw new Error('need a Prometheus URL or saved data');
    const step = options.step ?? Math.max(15, Math.ceil((options.end - options.start) / 240));
    data = await fetchPictureData(options.prometheus, options.start, options.end, step, options.vars);
  }
  if (options.saveData) writeFileSync(options.saveData, `${JSON.stringify(data)}\n`);
  await renderPng(pictureHtml(data, width), options.out, width, options.chromium);
  return data;
}

/** `now`, `-6h` / `-30m` (relative to now), unix seconds, or an ISO date. */
export function parseTime(s: string, now = Math.floor(Date.now() / 1000)): number {
  if (s === 'now') return now;
  const rel = /^-(\d+)([smhd])$/.exec(s);
  if (rel) return now - Number(rel[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[rel[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d+(\.\d+)?$/.test(s)) return Math.floor(Number(s));
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new Error(`bad time: ${s}`);
  return Math.floor(ms / 1000);
}

function parseArgs(argv: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) args[a.slice(2, eq)] = a.slice(eq + 1);
    else args[a.slice(2)] = argv[++i] ?? '';
  }
  return args;
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseArgs(argv);
  const list = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : undefined);
  const vars: QueryVariables = { rateInterval: args['rate-interval'] ?? '2m' };
  const service = list(args.service);
  const provider = list(args.provider);
  const model = list(args.model);
  if (service) vars.service_name = service;
  if (provider) vars.provider = provider;
  if (model) vars.model = model;
  const out = resolve(args.out ?? 'ml-service-metrics.png');
  const options: RenderOptions = {
    start: parseTime(args.from ?? '-6h'),
    end: parseTime(args.to ?? 'now'),
    vars,
    out,
  };
  if (args.prometheus) options.prometheus = args.prometheus;
  if (args.step) options.step = Number(args.step);
  if (args.width) options.width = Number(args.width);
  if (args.chromium) options.chromium = args.chromium;
  if (args['save-data']) options.saveData = resolve(args['save-data']);
  if (args.data) options.data = JSON.parse(readFileSync(args.data, 'utf8')) as PictureData;
  const data = await renderDashboardPicture(options);
  const empty = data.charts.filter((c) => c.series.length === 0).map((c) => c.title);
  console.log(`wrote ${out} (${data.charts.length} charts, ${data.stats.length} stats)`);
  if (empty.length) console.warn(`no data for: ${empty.join('; ')}`);
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}

export const renderScript = fileURLToPath(import.meta.url);
