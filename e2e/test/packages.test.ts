import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// What a user installs: the tarball `pnpm pack` makes of each published package (after `pnpm build`).
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PUBLISHED = ['core', 'node', 'instrumentation'];
const out = mkdtempSync(join(tmpdir(), 'llm-otel-pack-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Packed {
  files: Set<string>;
  read(path: string): string;
  manifest: { name: string; license: string; exports: Record<string, unknown> };
}

function pack(dir: string): Packed {
  const json = execFileSync('pnpm', ['pack', '--json', '--pack-destination', out], {
    cwd: join(root, 'packages', dir),
    encoding: 'utf8',
  });
  const tarball = (JSON.parse(json) as { filename: string }).filename;
  const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const files = new Set(list.split('\n').filter((l) => l.length > 0 && !l.endsWith('/')));
  const read = (path: string) => execFileSync('tar', ['-xzOf', tarball, path], { encoding: 'utf8' });
  return { files, read, manifest: JSON.parse(read('package/package.json')) };
}

function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(exportTargets);
  return [];
}

describe.each(PUBLISHED)('the published tarball of packages/%s', (dir) => {
  const packed = pack(dir);

  it('carries the licence its manifest names, and a README', () => {
    expect(packed.manifest.license).toBe('Apache-2.0');
    expect(packed.files.has('package/LICENSE')).toBe(true);
    expect(packed.read('package/LICENSE')).toContain('Apache License');
    expect(packed.files.has('package/README.md')).toBe(true);
  });

  it('holds every file its exports point at', () => {
    const targets = exportTargets(packed.manifest.exports).filter((t) => !t.endsWith('package.json'));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(packed.files, target).toContain(normalize(`package/${target}`));
  });

  it('has source maps and declaration maps whose sources are in the tarball', () => {
    const maps = [...packed.files].filter((f) => f.endsWith('.map'));
    expect(maps.some((m) => m.endsWith('.js.map'))).toBe(true);
    expect(maps.some((m) => m.endsWith('.d.ts.map'))).toBe(true);
    for (const map of maps) {
      const { sources } = JSON.parse(packed.read(map)) as { sources: string[] };
      for (const source of sources) expect(packed.files, `${map} -> ${source}`).toContain(join(dirname(map), source));
    }
  });
});
