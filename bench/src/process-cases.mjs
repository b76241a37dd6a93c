// Shared by the recordInference() micro-benchmarks that need one process per case (process-wide
// state such as experiments or a variant sink): the parent runs every case in a fresh process,
// rounds interleaved, and prints each case's median with its ratio to the first case; a child
// measures the CPU time of one call in blocks and prints the median block.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

/** Parses `--case`, `--rounds` (default 7), `--time` ms (default 1000) and `--cases` (default `defaultCases`). */
export function caseArgs(defaultCases) {
  const { values } = parseArgs({
    options: {
      case: { type: 'string' },
      rounds: { type: 'string', default: '7' },
      time: { type: 'string', default: '1000' },
      cases: { type: 'string', default: defaultCases },
    },
  });
  return { ...values, cases: values.cases.split(',') };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Parent: runs `script --case C --time T` for every case and round, prints µs per call and ratios. */
export function runCasesInProcesses(script, args) {
  const results = Object.fromEntries(args.cases.map((c) => [c, []]));
  for (let r = 0; r < Number(args.rounds); r++)
    for (const c of args.cases) {
      const out = execFileSync(process.execPath, [script, '--case', c, '--time', args.time]);
      results[c].push(Number(out.toString().trim()));
    }
  const first = args.cases[0];
  const base = median(results[first]);
  const width = Math.max(...args.cases.map((c) => c.length)) + 1;
  for (const c of args.cases)
    console.log(
      `${c.padEnd(width)} ${median(results[c]).toFixed(3)} µs/call  (x${(median(results[c]) / base).toFixed(3)} of ${first}; rounds: ${results[c].map((x) => x.toFixed(3)).join(' ')})`,
    );
}

/**
 * Child: after a 300 ms warm-up, times blocks of 10 batches of `perBatch` calls (`batch()` makes
 * them) for `timeMs` (at least 5 blocks) and prints the median block's CPU µs per call.
 */
export function printCpuPerCall(batch, perBatch, timeMs) {
  for (const end = Date.now() + 300; Date.now() < end; ) batch();
  const blocks = [];
  for (const end = Date.now() + timeMs; Date.now() < end || blocks.length < 5; ) {
    const start = process.cpuUsage();
    for (let k = 0; k < 10; k++) batch();
    const used = process.cpuUsage(start);
    blocks.push((used.user + used.system) / (10 * perBatch));
  }
  console.log(median(blocks));
}
