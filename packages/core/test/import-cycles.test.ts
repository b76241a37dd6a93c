import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every .ts file under `dir`, as absolute paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

// `import ... from './x.js'`, `export ... from './x.js'` and `import './x.js'`, possibly over several
// lines. `import type` / `export type` are erased at compile time and create no runtime edge.
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The relative runtime imports of each source file (paths relative to src, `.ts`). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const deps: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (m[1] !== undefined) continue; // type-only
      const target = resolve(dirname(file), (m[2] as string).replace(/\.js$/, '.ts'));
      deps.push(relative(SRC, target));
    }
    graph.set(relative(SRC, file), deps);
  }
  return graph;
}

/** The first import cycle found (as a path that ends where it starts), or undefined. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      const cycle = visit(dep);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe('module graph of @llm-otel/core', () => {
  it('the cycle finder finds a cycle and ignores type-only imports', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toBeUndefined();
    const sample = `import type { X } from './x.js';\nimport {\n  a,\n  b,\n} from './y.js';\nexport { c } from '../z.js';\nimport './side.js';\n`;
    const matches = [...sample.matchAll(IMPORT)].map((m) => [m[1] !== undefined, m[2]]);
    expect(matches).toEqual([
      [true, './x.js'],
      [false, './y.js'],
      [false, '../z.js'],
      [false, './side.js'],
    ]);
  });

  it('has no import cycle in src', () => {
    const graph = importGraph(sourceFiles(SRC));
    expect(graph.size).toBeGreaterThan(10);
    expect(graph.get('llm-metrics.ts')).toContain('attributes.ts');
    expect(findCycle(graph)).toBeUndefined();
  });
});
