// The README picture renderer: the page is self-contained (uPlot inlined, no URL loaded) and,
// where Debian's Chromium is installed, renders to a PNG. Data comes from the canned simulation.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  legendName,
  PICTURE_CHARTS,
  PICTURE_STATS,
  type PictureData,
  parseTime,
  pictureHtml,
  renderDashboardPicture,
} from '../src/render.js';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

function cannedPicture(): PictureData {
  const start = 1_700_000_000;
  const times = Array.from({ length: 120 }, (_, i) => start + i * 60);
  const wave = (phase: number, scale: number) => times.map((_, i) => scale * (1.2 + Math.sin(i / 9 + phase)));
  return {
    title: 'ML Service Metrics',
    start,
    end: times.at(-1) as number,
    step: 60,
    times,
    stats: PICTURE_STATS.map((id) => ({
      id,
      title: `stat ${id}`,
      unit: 's',
      value: id,
      steps: [{ value: null, color: 'green' }],
    })),
    charts: PICTURE_CHARTS.map((id, i) => ({
      id,
      title: `chart ${id}`,
      unit: ['s', 'reqpm', 'percentunit', 'suffix: tokens/s'][i % 4] as string,
      threshold: i === 0 ? 5 : undefined,
      series: [
        { name: 'a', values: wave(i, 2) },
        { name: 'b', values: wave(i + 1, 3).map((v, j) => (j % 30 === 0 ? null : v)) },
      ],
    })),
    deployments: [{ time: start + 3600, title: 'chat-model v1.3.0' }],
  };
}

describe('render', () => {
  it('builds a page that loads nothing from the network', () => {
    const html = pictureHtml(cannedPicture(), 1600);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('uPlot');
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
    'renders a PNG in headless Chromium',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'llm-otel-render-test-'));
      try {
        const out = join(dir, 'picture.png');
        await renderDashboardPicture({ start: 0, end: 0, out, data: cannedPicture(), chromium: CHROMIUM, width: 1200 });
        const png = readFileSync(out);
        expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
        const width = png.readUInt32BE(16);
        const height = png.readUInt32BE(20);
        expect(width).toBeGreaterThanOrEqual(1200);
        expect(height).toBeGreaterThan(900);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
