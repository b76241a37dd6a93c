// `pnpm --filter @llm-otel/bench run cpu-profile --variant llm-otel --case openai.chat --diff baseline`: runs one case of
// one variant under `node --cpu-prof` and prints where the CPU time went, by package and by function
// (self time). Compare with `--variant baseline` to see what the instrumentation adds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    variant: { type: 'string', default: 'llm-otel' },
    case: { type: 'string', default: 'openai.chat' },
    time: { type: 'string', default: '4000' },
    top: { type: 'string', default: '25' },
    diff: { type: 'string' },
  },
});

/**
 * Runs the case under --cpu-prof; returns self time per package and per function in µs per
 * operation (profile time x the case's mean time / the profile's total).
 */
function profileOf(variant) {
  const dir = mkdtempSync(join(tmpdir(), 'llm-otel-prof-'));
  const result = spawnSync(
    process.execPath,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      dir,
      join(here, 'worker.mjs'),
      '--variant',
      variant,
      '--cases',
      args.case,
      '--time',
      args.time,
      '--out',
      join(dir, 'result.json'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (result.status !== 0) throw new Error(`worker exited with ${result.status}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const timing = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).results[args.case];
  rmSync(dir, { recursive: true, force: true });

  /** The package a script belongs to (node_modules name, workspace package, or Node's own). */
  function owner(url) {
    if (url === '') return '(native/gc)';
    const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/);
    if (nm) return nm[1].startsWith('.pnpm') ? url : nm[1];
    const ws = url.match(/\/(packages\/[^/]+|bench)\//);
    if (ws) return ws[1];
    if (url.startsWith('node:')) return 'node';
    return url;
  }

  const selfTime = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let total = 0;
  const byPackage = new Map();
  const byFunction = new Map();
  for (const node of profile.nodes) {
    const t = selfTime.get(node.id) ?? 0;
    total += t;
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = owner(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
    const fn = `${functionName || '(anonymous)'}  ${pkg}${url ? `/${url.split('/').pop()}:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  }
  const perOp = (m) => new Map([...m].map(([k, t]) => [k, (t / total) * timing.meanUs]));
  return { timing, byPackage: perOp(byPackage), byFunction: perOp(byFunction) };
}

const us = (t) => `${t >= 0 ? ' ' : ''}${t.toFixed(2).padStart(7)} µs`;
const top = Number(args.top);
const a = profileOf(args.variant);
console.log(`${args.variant} ${args.case}: p50 ${a.timing.p50Us.toFixed(1)} µs, mean ${a.timing.meanUs.toFixed(1)} µs`);
if (args.diff === undefined) {
  console.log('\nself time per operation, by package:');
  for (const [k, t] of [...a.byPackage].sort((x, y) => y[1] - x[1]).slice(0, 15)) console.log(us(t), k);
  console.log('\nself time per operation, by function:');
  for (const [k, t] of [...a.byFunction].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(us(t), k);
} else {
  const b = profileOf(args.diff);
  console.log(`${args.diff} ${args.case}: p50 ${b.timing.p50Us.toFixed(1)} µs, mean ${b.timing.meanUs.toFixed(1)} µs`);
  const delta = (x, y) => {
    const keys = new Set([...x.keys(), ...y.keys()]);
    return [...keys].map((k) => [k, (x.get(k) ?? 0) - (y.get(k) ?? 0)]).sort((p, q) => q[1] - p[1]);
  };
  console.log(`\nself time per operation, ${args.variant} minus ${args.diff}, by package:`);
  for (const [k, t] of delta(a.byPackage, b.byPackage).slice(0, 15)) console.log(us(t), k);
  console.log(`\nby function (largest additions):`);
  for (const [k, t] of delta(a.byFunction, b.byFunction).slice(0, top)) console.log(us(t), k);
}
