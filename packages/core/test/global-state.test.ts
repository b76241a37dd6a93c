import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { globalSingleton, isCompatibleVersion } from '../src/global-state.js';
import { PACKAGE_VERSION } from '../src/version.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('process-wide state', () => {
  it('reports the version of package.json', () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    expect(PACKAGE_VERSION).toBe(manifest.version);
  });

  it('shares a singleton with a compatible copy and not with an incompatible one', () => {
    const created: string[] = [];
    const make = (who: string) => () => {
      created.push(who);
      return { who };
    };
    const first = globalSingleton('test-compat', make('0.1.3'), '0.1.3');
    expect(globalSingleton('test-compat', make('0.1.0'), '0.1.0')).toBe(first); // older patch uses the newer object
    const newer = globalSingleton('test-compat', make('0.1.4'), '0.1.4'); // needs what 0.1.3 may lack
    expect(newer).not.toBe(first);
    expect(globalSingleton('test-compat', make('0.1.4'), '0.1.4')).toBe(newer); // its own, kept
    expect(globalSingleton('test-compat', make('0.2.0'), '0.2.0')).not.toBe(first);
    expect(created).toEqual(['0.1.3', '0.1.4', '0.2.0']);
  });

  it.each([
    ['1.4.0', '1.2.9', true],
    ['1.2.0', '1.4.0', false],
    ['2.0.0', '1.0.0', false],
    ['0.1.2', '0.1.2', true],
    ['0.2.0', '0.1.0', false],
    ['1.0.0-rc.1', '1.0.0', false],
    ['1.0.0', '1.0.0-rc.1', false],
    ['not a version', '1.0.0', false],
  ])('stored %s is usable by %s: %s', (stored, own, expected) => {
    expect(isCompatibleVersion(stored, own)).toBe(expected);
  });

  it('two installed copies: same version share one registry, another major keeps its own and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-otel-copies-'));
    try {
      // Two copies of the built CJS package, as two node_modules folders would hold them.
      for (const [copy, version] of [
        ['a', PACKAGE_VERSION],
        ['b', PACKAGE_VERSION],
        ['c', '9.0.0'],
      ] as const) {
        cpSync(join(packageDir, 'dist', 'cjs'), join(dir, copy), { recursive: true });
        const file = join(dir, copy, 'version.js');
        writeFileSync(file, readFileSync(file, 'utf8').replace(`'${PACKAGE_VERSION}'`, `'${version}'`));
      }
      const script = `
        const { diag, DiagLogLevel } = require('@opentelemetry/api');
        const errors = [];
        diag.setLogger({ error: (m) => errors.push(m), warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.ERROR);
        const [a, b, c] = ['a', 'b', 'c'].map((x) => require(${JSON.stringify(dir)} + '/' + x + '/index.js'));
        a.getModelRegistry().registerModel({ modelName: 'm', version: 'v1', modelHash: 'sha256:5f1c3a9e' });
        console.log(JSON.stringify({
          sameAB: a.getModelRegistry() === b.getModelRegistry(),
          seenByB: b.getModelRegistry().listModels().length,
          sameAC: a.getModelRegistry() === c.getModelRegistry(),
          seenByC: c.getModelRegistry().listModels().length,
          errors,
        }));`;
      const out = execFileSync(process.execPath, ['-e', script], { cwd: packageDir, encoding: 'utf8' });
      const result = JSON.parse(out) as {
        sameAB: boolean;
        seenByB: number;
        sameAC: boolean;
        seenByC: number;
        errors: string[];
      };
      expect(result).toMatchObject({ sameAB: true, seenByB: 1, sameAC: false, seenByC: 0 });
      expect(result.errors.some((e) => e.includes('9.0.0') && e.includes(PACKAGE_VERSION))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
