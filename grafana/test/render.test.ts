// The README picture renderer: which panels it draws, how it formats their values, that the page
// is self-contained (uPlot inlined, no URL loaded) and, where Debian's Chromium is installed, what
// it draws (texts read back from the rendered page, not pixels).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboard } from '../src/dashboard.js';
import { currencyDecimals, formatValue, thresholdColor, tickDecimals } from '../src/picture-format.js';
import {
  legendName,
  PICTURE_CHARTS,
  PICTURE_SECTIONS,
  PICTURE_STATS,
  type PictureData,
  parseTime,
  pictureHtml,
  renderDashboardPicture,
  renderPng,
} from '../src/render.js';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

type Json = any;
/** The dashboard's panels in order, each with the title of the row it sits under. */
function panelsWithRows(): { panel: Json; row: string }[] {
  const out: { panel: Json; row: string }[] = [];
  let row = '';
  for (const p of (buildDashboard().panels ?? []) as Json[]) {
    if (p.type === 'row') row = p.title;
    else out.push({ panel: p, row });
  }
  return out;
}
const panelById = (id: number) => panelsWithRows().find((x) => x.panel.id === id);

/** Panel units the picture's formatter knows (any other unit would show as a plain number). */
const FORMATTED_UNITS = ['s', 'percentunit', 'reqpm', 'currencyUSD', 'none'];

function cannedPicture(): PictureData {
  const start = 1_700_000_000;
  const times = Array.from({ length: 120 }, (_, i) => start + i * 60);
  const wave = (phase: number, scale: number) => times.map((_, i) => scale * (1.2 + Math.sin(i / 9 + phase)));
  const overview = PICTURE_SECTIONS[0]?.stats ?? [];
  return {
    title: 'ML Service Metrics',
    start,
    end: times.at(-1) as number,
    step: 60,
    times,
    stats: [
      ...overview.map((id) => ({
        id,
        title: `stat ${id}`,
        unit: 's',
        value: id,
        steps: [{ value: null, color: 'green' }],
      })),
      {
        id: 19,
        title: 'Spend per hour',
        unit: 'currencyUSD',
        value: 16.1334,
        decimals: 2,
        steps: [{ value: null, color: 'blue' }],
      },
      {
        id: 20,
        title: 'Hourly budget used',
        unit: 'percentunit',
        value: 0.874,
        decimals: 0,
        steps: [
          { value: null, color: 'green' },
          { value: 0.8, color: 'orange' },
          { value: 1, color: 'red' },
        ],
      },
      {
        id: 21,
        title: 'Unpriced calls / min',
        unit: 'reqpm',
        value: null,
        decimals: 1,
        steps: [{ value: null, color: 'green' }],
      },
      {
        id: 22,
        title: 'Lowest rate-limit headroom',
        unit: 'percentunit',
        value: 0.034,
        decimals: 0,
        steps: [
          { value: null, color: 'red' },
          { value: 0.1, color: 'green' },
        ],
      },
    ],
    charts: PICTURE_CHARTS.map((id, i) => {
      const unit = panelById(id)?.panel.fieldConfig.defaults.unit as string;
      const scale = unit === 'percentunit' ? 0.3 : unit === 'currencyUSD' ? 0.04 : 2;
      return {
        id,
        title: `chart ${id}`,
        unit,
        threshold: id === 27 ? 0.1 : i === 0 ? 5 : undefined,
        series:
          id === 28
            ? []
            : [
                { name: 'a', values: wave(i, scale) },
                { name: 'b', values: wave(i + 1, scale).map((v, j) => (j % 30 === 0 ? null : v)) },
              ],
      };
    }),
    deployments: [{ time: start + 3600, title: 'chat-model v1.3.0' }],
    sections: PICTURE_SECTIONS.map((s) => ({ ...s })),
  };
}

describe('render', () => {
  it('draws the overview, the main charts and the row "Cost and rate limits" with its key panels', () => {
    expect(PICTURE_STATS).toEqual([1, 2, 3, 4, 19, 20, 21, 22]);
    for (const id of [23, 26, 27, 28]) expect(PICTURE_CHARTS).toContain(id);
    const cost = PICTURE_SECTIONS.find((s) => s.title === 'Cost and rate limits');
    for (const id of [...(cost?.stats ?? []), ...(cost?.charts ?? [])]) {
      expect(panelById(id)?.row, `panel ${id}`).toBe('Cost and rate limits');
    }
    for (const id of PICTURE_STATS) expect(panelById(id)?.panel.type, `panel ${id}`).toBe('stat');
    for (const id of PICTURE_CHARTS) expect(panelById(id)?.panel.type, `panel ${id}`).toBe('timeseries');
  });

  it('knows the unit of every panel it draws', () => {
    for (const id of [...PICTURE_STATS, ...PICTURE_CHARTS]) {
      const unit = panelById(id)?.panel.fieldConfig.defaults.unit as string;
      expect(FORMATTED_UNITS.includes(unit) || unit.startsWith('suffix:'), `panel ${id}: ${unit}`).toBe(true);
    }
  });

  it('formats US dollars like Grafana: cents, two significant digits below $1 (at most 4 decimals), K above 1,000', () => {
    expect(formatValue('currencyUSD', 16.1334, 2)).toBe('$16.13');
    expect(formatValue('currencyUSD', 0.25, 3)).toBe('$0.250');
    expect(formatValue('currencyUSD', 40.1)).toBe('$40.10');
    expect(formatValue('currencyUSD', 0.2507)).toBe('$0.25');
    expect(formatValue('currencyUSD', 0.0123)).toBe('$0.012');
    expect(formatValue('currencyUSD', 0.00123)).toBe('$0.0012');
    expect(formatValue('currencyUSD', 0.000123)).toBe('$0.0001');
    expect(formatValue('currencyUSD', 0)).toBe('$0');
    expect(formatValue('currencyUSD', 1534)).toBe('$1.5K');
    expect(formatValue('currencyUSD', -0.5)).toBe('-$0.50');
    expect([1, 0.1, 0.01, 0.001, 0.00001].map(currencyDecimals)).toEqual([2, 2, 3, 4, 4]);
  });

  it('formats the other units, with the panel decimals when set', () => {
    expect(formatValue('percentunit', 0.6837, 0)).toBe('68%');
    expect(formatValue('percentunit', 0.0121)).toBe('1.21%');
    expect(formatValue('percentunit', 0.0121, 1)).toBe('1.2%');
    expect(formatValue('reqpm', 2.9121, 1)).toBe('2.9 req/min');
    expect(formatValue('reqpm', 0, 1)).toBe('0.0 req/min');
    expect(formatValue('s', 0.45)).toBe('450 ms');
    expect(formatValue('s', 4.6499, 2)).toBe('4.65 s');
    expect(formatValue('suffix: tokens/s', 12_345)).toBe('12.3K tokens/s');
    expect(formatValue('none', 0, 0)).toBe('0');
    expect(formatValue('currencyUSD', null)).toBe('–');
    expect(formatValue('percentunit', Number.NaN)).toBe('–');
  });

  it('picks axis decimals from the tick spacing', () => {
    expect([5, 0.5, 0.25, 0.05, 0.002, 10].map(tickDecimals)).toEqual([0, 1, 2, 2, 3, 0]);
  });

  it("colours values by the dashboard's threshold steps, orange included", () => {
    const budget = panelById(20)?.panel.fieldConfig.defaults.thresholds.steps;
    expect(thresholdColor(budget, 0.5)).toBe('#73bf69');
    expect(thresholdColor(budget, 0.85)).toBe('#ff9830');
    expect(thresholdColor(budget, 1.2)).toBe('#f2495c');
    const headroom = panelById(22)?.panel.fieldConfig.defaults.thresholds.steps;
    expect(thresholdColor(headroom, 0.05)).toBe('#f2495c');
    expect(thresholdColor(headroom, 0.5)).toBe('#73bf69');
    expect(thresholdColor([{ value: null, color: '#123456' }], 1)).toBe('#123456');
    // Every colour the picture's stats use is one it knows.
    for (const id of PICTURE_STATS) {
      for (const step of panelById(id)?.panel.fieldConfig.defaults.thresholds.steps ?? []) {
        expect(thresholdColor([step], 0), `panel ${id}: ${step.color}`).toMatch(/^#[0-9a-f]{6}$/);
      }
    }
  });

  it('builds a page that loads nothing from the network', () => {
    const html = pictureHtml(cannedPicture(), 1600);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('uPlot');
  });

  it('keeps series names from closing the page script', () => {
    const data = cannedPicture();
    (data.charts[0] as PictureData['charts'][number]).series[0] = { name: '</script><b>x', values: [] };
    expect(pictureHtml(data, 1600)).not.toContain('</script><b>');
  });

  it('names series like Grafana legends', () => {
    expect(legendName('P95 {{gen_ai_request_model}}', { gen_ai_request_model: 'gpt-4o' })).toBe('P95 gpt-4o');
    expect(legendName('__auto', { __name__: 'x', a: '1' })).toBe('a="1"');
  });

  it('parses times', () => {
    expect(parseTime('now', 1000)).toBe(1000);
    expect(parseTime('-6h', 100_000)).toBe(100_000 - 21_600);
    expect(parseTime('1700000000')).toBe(1_700_000_000);
    expect(parseTime('2023-11-14T22:13:20Z')).toBe(1_700_000_000);
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'renders a PNG in headless Chromium: the cost row with dollars, percentages, its colours and the 10% line',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'llm-otel-render-test-'));
      try {
        const out = join(dir, 'picture.png');
        const data = cannedPicture();
        const drawn = await renderPng(pictureHtml(data, 1200), out, 1200, CHROMIUM);
        const png = readFileSync(out);
        expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
        expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(1200);
        expect(png.readUInt32BE(20)).toBeGreaterThan(1800);

        expect(drawn.headings).toEqual(['Cost and rate limits']);
        const stat = (title: string) => drawn.stats.find((s) => s.title === title);
        expect(drawn.stats.map((s) => s.title)).toEqual(data.stats.map((s) => s.title));
        expect(stat('Spend per hour')).toEqual({ title: 'Spend per hour', text: '$16.13', color: 'rgb(87, 148, 242)' });
        expect(stat('Hourly budget used')).toMatchObject({ text: '87%', color: 'rgb(255, 152, 48)' });
        expect(stat('Unpriced calls / min')?.text).toBe('No data');
        expect(stat('Lowest rate-limit headroom')).toMatchObject({ text: '3%', color: 'rgb(242, 73, 92)' });

        expect(drawn.charts.map((c) => c.title)).toEqual(PICTURE_CHARTS.map((id) => `chart ${id}`));
        const chart = (id: number) => drawn.charts.find((c) => c.title === `chart ${id}`);
        const dollars = chart(23)?.axis ?? [];
        expect(dollars.length).toBeGreaterThan(2);
        // Cents-scale ticks (the data is below $0.1): every label in dollars, distinct, same decimals.
        for (const label of dollars) expect(label).toMatch(/^\$0\.\d{2,4}$/);
        expect(new Set(dollars).size).toBe(dollars.length);
        expect(new Set(dollars.map((l) => l.length)).size).toBe(1);
        expect(chart(23)?.legend).toEqual(['a', 'b']);
        expect(chart(26)?.axis.at(-1)).toMatch(/^\d+%$/);
        expect(chart(27)?.threshold).toBe('10%');
        expect(chart(28)?.noData).toBe(true);
        expect(chart(5)?.threshold).toBe('5 s');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it.skipIf(!existsSync(CHROMIUM))(
    'renders saved data without sections (older --save-data files) as one block',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'llm-otel-render-test-'));
      try {
        const out = join(dir, 'picture.png');
        const { sections: _, ...data } = cannedPicture();
        const saved = join(dir, 'data.json');
        const returned = await renderDashboardPicture({
          start: 0,
          end: 0,
          out,
          data,
          saveData: saved,
          chromium: CHROMIUM,
          width: 1200,
        });
        expect(returned).toBe(data);
        expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual(JSON.parse(JSON.stringify(data)));
        const drawn = await renderPng(pictureHtml(data, 1200), out, 1200, CHROMIUM);
        expect(drawn.headings).toEqual([]);
        expect(drawn.stats.length).toBe(data.stats.length);
        expect(drawn.charts.length).toBe(data.charts.length);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
