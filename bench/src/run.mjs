// `pnpm bench`: runs every variant in its own process (rounds times, interleaved), the memory
// scenarios, prints the table and, with --write, regenerates bench/results.md.
//
//   --smoke        few iterations and small memory scenarios (< 60 s), for CI: checks the
//                  benchmarks still run and every case of ours records; writes nothing
//   --write        regenerate bench/results.md from this run
//   --rounds N     processes per variant (default 5); each case's figure is the median of rounds
//   --time MS      measuring time per case and process (default 1000)
//   --variants a,b only these variants (baseline is always run)
//   --startup-runs N  starts per variant of the start-up measurement (default 15)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { STREAM_CHUNKS } from './fixtures.mjs';
import { versions } from './setup.mjs';
import { measureStartup } from './startup.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    time: { type: 'string' },
    variants: { type: 'string' },
    'startup-runs': { type: 'string' },
  },
});
const smoke = args.smoke;
const rounds = Number(args.rounds ?? (smoke ? 1 : 5));
const time = Number(args.time ?? (smoke ? 40 : 1000));
const warmup = smoke ? 10 : 300;
const startupRuns = Number(args['startup-runs'] ?? (smoke ? 1 : 15));
const ALL_VARIANTS = ['baseline', 'llm-otel', 'otel-openai', 'llm-otel-signals', 'otel-openai-signals', 'openlit'];
const variants = args.variants
  ? ['baseline', ...args.variants.split(',').filter((v) => v !== 'baseline')]
  : ALL_VARIANTS;
const memory = smoke
  ? [
      { label: '10 models', calls: 20_000, names: 10 },
      { label: 'attack', calls: 20_000, names: 5_000 },
    ]
  : [
      { label: '10 models', calls: 1_000_000, names: 10 },
      { label: 'attack', calls: 1_000_000, names: 100_000 },
    ];

const work = mkdtempSync(join(tmpdir(), 'llm-otel-bench-'));
const startedAt = Date.now();

function node(script, scriptArgs, out) {
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, script), ...scriptArgs, '--out', out], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, OTEL_SDK_DISABLED: undefined },
  });
  if (result.status !== 0) throw new Error(`${script} ${scriptArgs.join(' ')} exited with ${result.status}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// 1. Timings: rounds x variants processes, interleaved so that a noisy moment hits all variants.
const perRound = {};
const pairedRuns = {};
/** Log records and spans the export queues dropped, per variant, over all its processes. */
const droppedByVariant = {};
for (let r = 0; r < rounds; r++) {
  for (const variant of variants) {
    process.stderr.write(`round ${r + 1}/${rounds}: ${variant}\n`);
    const out = join(work, `${variant}-${r}.json`);
    const workerArgs = ['--variant', variant, '--time', String(time), '--warmup', String(warmup)];
    if (smoke) workerArgs.push('--blocks', '4');
    // The smoke run only checks that the logs and spans pipelines run: two cases keep it short.
    if (smoke && variant.endsWith('-signals')) workerArgs.push('--cases', 'openai.chat,openai.chat.stream1');
    const { results, paired, dropped } = node('worker.mjs', workerArgs, out);
    droppedByVariant[variant] = (droppedByVariant[variant] ?? 0) + (dropped ?? 0);
    for (const [name, delta] of Object.entries(paired)) {
      pairedRuns[variant] ??= {};
      pairedRuns[variant][name] ??= [];
      pairedRuns[variant][name].push(delta);
    }
    for (const [name, res] of Object.entries(results)) {
      perRound[variant] ??= {};
      perRound[variant][name] ??= [];
      perRound[variant][name].push(res);
    }
  }
}
const results = {};
for (const [variant, cases] of Object.entries(perRound)) {
  results[variant] = {};
  for (const [name, runs] of Object.entries(cases)) {
    results[variant][name] = {
      p50Us: median(runs.map((x) => x.p50Us)),
      meanUs: median(runs.map((x) => x.meanUs)),
      rme: median(runs.map((x) => x.rme)),
      cpuUs: median(runs.map((x) => x.cpuUs)),
      cpuRuns: runs.map((x) => x.cpuUs),
      samples: runs.reduce((n, x) => n + x.samples, 0),
      recorded: runs[0].recorded,
    };
  }
}

const pairedResults = {};
for (const [variant, cases] of Object.entries(pairedRuns)) {
  pairedResults[variant] = Object.fromEntries(Object.entries(cases).map(([name, runs]) => [name, median(runs)]));
}

// 2. Start-up cost.
const startup = measureStartup(startupRuns, (line) => process.stderr.write(line));

// 3. Memory and scrape.
const mem = [];
for (const m of memory) {
  process.stderr.write(`memory: ${m.label}, ${m.calls} calls, ${m.names} model names\n`);
  mem.push({
    ...m,
    ...node('memory.mjs', ['--calls', String(m.calls), '--names', String(m.names)], join(work, `m-${m.names}.json`)),
  });
}
rmSync(work, { recursive: true, force: true });

// 4. Report.
const CASE_ORDER = [
  'openai.chat',
  `openai.chat.stream${STREAM_CHUNKS}`,
  'openai.chat.stream1',
  'openai.embeddings',
  'ollama.chat',
  `ollama.generate.stream${STREAM_CHUNKS}`,
  'anthropic.messages',
  `anthropic.messages.stream${STREAM_CHUNKS}`,
  'bedrock.converse',
  'recordInference',
];
const us = (x) => {
  if (x === undefined) return '';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2);
};
/** An overhead with its sign: +12.3 or -4.56. */
const signed = (x) => (x >= 0 ? `+${us(x)}` : us(x));
const base = results.baseline;
const peers = variants.filter((v) => v !== 'baseline');

function cell(variant, name, stat = 'p50Us') {
  const r = results[variant]?.[name];
  if (r === undefined) return 'n/a';
  const b = base?.[name];
  if (b === undefined) return `${us(r[stat])} µs`;
  const records = r.recorded.length > 0 ? '' : ' (records nothing)';
  return `${us(r[stat])} µs ×${(r[stat] / b[stat]).toFixed(2)} (${signed(r[stat] - b[stat])})${records}`;
}

const overhead = (variant, name) => {
  const r = results[variant]?.[name];
  const b = base?.[name];
  return r && b ? r.p50Us - b.p50Us : undefined;
};
const derived = [];
for (const variant of peers) {
  const call = overhead(variant, 'openai.chat');
  const s200 = overhead(variant, `openai.chat.stream${STREAM_CHUNKS}`);
  const s1 = overhead(variant, 'openai.chat.stream1');
  const g200 = overhead(variant, `ollama.generate.stream${STREAM_CHUNKS}`);
  const row = { variant };
  if (call !== undefined) row.perCallChat = call;
  if (s200 !== undefined) row.perChunkOpenAI = s200 / STREAM_CHUNKS;
  if (s200 !== undefined && s1 !== undefined) row.marginalPerChunkOpenAI = (s200 - s1) / (STREAM_CHUNKS - 1);
  if (s1 !== undefined) row.perStreamCallOpenAI = s1;
  if (g200 !== undefined) row.perChunkOllama = g200 / STREAM_CHUNKS;
  derived.push(row);
}

// The headline: CPU per operation in separate processes, against no instrumentation and against
// instrumentation-openai (the contrib instrumentation users would otherwise pick).
const CONTRIB = 'otel-openai';
/** The contrib variant a variant compares with: with logs and spans on, contrib with them on too. */
const contribOf = (variant) => (variant.endsWith('-signals') ? `${CONTRIB}-signals` : CONTRIB);
/**
 * Overhead and ratio to the baseline, paired by round: a round's processes run close together in
 * time, so they share the machine's load (which moves CPU time per operation too, through contention
 * for caches and cores); the median over rounds of the per-round differences is steadier than the
 * difference of medians.
 */
function cpuVsBaseline(variant, name) {
  const r = results[variant]?.[name]?.cpuRuns;
  const b = base?.[name]?.cpuRuns;
  if (r === undefined || b === undefined) return undefined;
  const n = Math.min(r.length, b.length);
  const rounds = [...Array(n).keys()];
  return {
    overhead: median(rounds.map((i) => r[i] - b[i])),
    ratio: median(rounds.map((i) => r[i] / b[i])),
  };
}
function cpuCell(variant, name) {
  const r = results[variant]?.[name];
  if (r === undefined) return 'n/a';
  const vs = cpuVsBaseline(variant, name);
  if (vs === undefined) return `${us(r.cpuUs)} µs`;
  const records = r.recorded.length > 0 ? '' : ' (records nothing)';
  const contrib = variant.startsWith('llm-otel') ? cpuVsBaseline(contribOf(variant), name) : undefined;
  // A ratio of overheads only means something when contrib's overhead is clearly above the noise.
  const vsContrib =
    contrib && contrib.overhead > 0.02 * base[name].cpuUs
      ? `, ×${(vs.overhead / contrib.overhead).toFixed(2)} of contrib's overhead`
      : '';
  return `${us(r.cpuUs)} µs ×${vs.ratio.toFixed(2)} (${signed(vs.overhead)}${vsContrib})${records}`;
}
const cpuHeader = ['case', 'baseline', ...peers];
const cpuRows = CASE_ORDER.filter((name) => variants.some((v) => results[v]?.[name])).map((name) => [
  name,
  base?.[name] ? `${us(base[name].cpuUs)} µs` : 'n/a',
  ...peers.map((v) => cpuCell(v, name)),
]);
const cpuOverhead = (variant, name) => cpuVsBaseline(variant, name)?.overhead;
const cpuDerivedHeader = [
  'variant',
  'per call (openai.chat)',
  'per stream call (Δstream1)',
  'marginal per chunk ((Δ200-Δ1)/199)',
  `per chunk ollama (Δ/${STREAM_CHUNKS})`,
];
const cpuDerivedRows = peers.map((variant) => {
  const f = (x) => (x === undefined ? 'n/a' : `${us(x)} µs`);
  const s200 = cpuOverhead(variant, `openai.chat.stream${STREAM_CHUNKS}`);
  const s1 = cpuOverhead(variant, 'openai.chat.stream1');
  const g200 = cpuOverhead(variant, `ollama.generate.stream${STREAM_CHUNKS}`);
  return [
    variant,
    f(cpuOverhead(variant, 'openai.chat')),
    f(s1),
    f(s200 !== undefined && s1 !== undefined ? (s200 - s1) / (STREAM_CHUNKS - 1) : undefined),
    f(g200 === undefined ? undefined : g200 / STREAM_CHUNKS),
  ];
});
const startupHeader = ['variant', 'CPU (user+sys)', 'over bare node', 'peak RSS', 'over bare node'];
const startupRows = startup.rows.map((r) => [
  r.variant,
  `${r.cpuSeconds.toFixed(3)} s`,
  `${r.extraCpuSeconds >= 0 ? '+' : ''}${r.extraCpuSeconds.toFixed(3)} s`,
  `${r.rssMiB.toFixed(1)} MiB`,
  `${r.extraRssMiB >= 0 ? '+' : ''}${r.extraRssMiB.toFixed(1)} MiB`,
]);

const header = ['case', 'baseline', ...peers];
const tableRows = (stat) =>
  CASE_ORDER.filter((name) => variants.some((v) => results[v]?.[name])).map((name) => [
    name,
    base?.[name] ? `${us(base[name][stat])} µs` : 'n/a',
    ...peers.map((v) => cell(v, name, stat)),
  ]);
const rows = tableRows('p50Us');
const meanRows = tableRows('meanUs');
const derivedHeader = [
  'variant',
  'per call (openai.chat)',
  `per chunk (Δstream${STREAM_CHUNKS}/${STREAM_CHUNKS})`,
  'marginal per chunk ((Δ200-Δ1)/199)',
  'per stream call (Δstream1)',
  `per chunk ollama (Δ/${STREAM_CHUNKS})`,
];
const derivedRows = derived.map((d) => [
  d.variant,
  d.perCallChat === undefined ? 'n/a' : `${us(d.perCallChat)} µs`,
  d.perChunkOpenAI === undefined ? 'n/a' : `${us(d.perChunkOpenAI)} µs`,
  d.marginalPerChunkOpenAI === undefined ? 'n/a' : `${us(d.marginalPerChunkOpenAI)} µs`,
  d.perStreamCallOpenAI === undefined ? 'n/a' : `${us(d.perStreamCallOpenAI)} µs`,
  d.perChunkOllama === undefined ? 'n/a' : `${us(d.perChunkOllama)} µs`,
]);
const S200 = `openai.chat.stream${STREAM_CHUNKS}`;
const G200 = `ollama.generate.stream${STREAM_CHUNKS}`;
const pairedHeader = [
  'variant',
  'openai.chat',
  'openai.chat.stream1',
  S200,
  `per chunk (Δ/${STREAM_CHUNKS})`,
  'marginal per chunk',
  'ollama.chat',
  G200,
  `per chunk ollama (Δ/${STREAM_CHUNKS})`,
];
const pairedRows = Object.entries(pairedResults).map(([variant, p]) => {
  const f = (x) => (x === undefined ? 'n/a' : `${us(x)} µs`);
  const perChunk = (x) => (x === undefined ? undefined : x / STREAM_CHUNKS);
  const marginal =
    p[S200] !== undefined && p['openai.chat.stream1'] !== undefined
      ? (p[S200] - p['openai.chat.stream1']) / (STREAM_CHUNKS - 1)
      : undefined;
  return [
    variant,
    f(p['openai.chat']),
    f(p['openai.chat.stream1']),
    f(p[S200]),
    f(perChunk(p[S200])),
    f(marginal),
    f(p['ollama.chat']),
    f(p[G200]),
    f(perChunk(p[G200])),
  ];
});
const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;
const memHeader = [
  'scenario',
  'calls',
  'model names',
  'retained heap growth (1% / 10% / 100% of calls)',
  'series',
  'model label values',
  'scrape',
  '/metrics size',
  'record time',
];
const memRows = mem.map((m) => [
  m.label,
  m.calls.toLocaleString('en'),
  m.names.toLocaleString('en'),
  m.heap.map((h) => kib(h.bytes)).join(' / '),
  String(m.series),
  String(m.distinctModelLabels),
  `${m.scrapeMs.toFixed(1)} ms`,
  kib(m.scrapeBytes),
  `${((m.recordSeconds * 1e6) / m.calls).toFixed(2)} µs/call`,
]);

function markdown(h, r) {
  return [
    `| ${h.join(' | ')} |`,
    `| ${h.map(() => '---').join(' | ')} |`,
    ...r.map((x) => `| ${x.join(' | ')} |`),
  ].join('\n');
}
function text(h, r) {
  const widths = h.map((_, i) => Math.max(h[i].length, ...r.map((x) => x[i].length)));
  const line = (x) => x.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(h), widths.map((w) => '-'.repeat(w)).join('  '), ...r.map(line)].join('\n');
}

const seconds = ((Date.now() - startedAt) / 1000).toFixed(0);
console.log(
  `\nCPU per operation, separate processes (median of ${rounds} round(s)), ratio to the baseline, (+overhead):`,
);
console.log(text(cpuHeader, cpuRows));
console.log('\nCPU overhead per call and per chunk (separate processes):');
console.log(text(cpuDerivedHeader, cpuDerivedRows));
console.log('\nOverhead in-process (instrumentation switched off/on in alternating blocks, CPU time, median):');
console.log(text(pairedHeader, pairedRows));
const droppedLines = Object.entries(droppedByVariant)
  .filter(([variant]) => variant.endsWith('-signals'))
  .map(([variant, n]) => `- ${variant}: ${n.toLocaleString('en')}`);
if (droppedLines.length > 0) {
  console.log('\nLog records and spans dropped by the full export queues (all processes; 0 is the fair case):');
  console.log(droppedLines.join('\n'));
}
console.log(`\nStart-up (median of ${startup.runs} start(s) per variant):`);
console.log(text(startupHeader, startupRows));
console.log(`\nWall-clock time per operation (tinybench p50, median of ${rounds} round(s)):`);
console.log(text(header, rows));
console.log('\nWall-clock overhead per call and per chunk:');
console.log(text(derivedHeader, derivedRows));
console.log('\nMemory and scrape:');
console.log(text(memHeader, memRows));
console.log(`\n${seconds} s${smoke ? ' (smoke run: too few iterations for the figures to mean anything)' : ''}`);

// Smoke: fail when a case of ours records nothing or the cardinality bound does not hold.
const problems = [];
for (const variant of ['llm-otel', 'llm-otel-signals']) {
  for (const [name, r] of Object.entries(results[variant] ?? {})) {
    if (r.recorded.length === 0) problems.push(`${variant} ${name} recorded no metric`);
  }
}
for (const m of mem) {
  if (m.distinctModelLabels > 201) problems.push(`${m.label}: ${m.distinctModelLabels} model label values (bound 200)`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exitCode = 1;
}

if (args.write && !smoke) {
  const v = versions();
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model ?? '?';
  const nproc = execFileSync('nproc').toString().trim();
  const recorded = peers
    .map((variant) => {
      const lines = CASE_ORDER.filter((name) => results[variant]?.[name]).map(
        (name) => `  - ${name}: ${results[variant][name].recorded.join(', ') || '**nothing**'}`,
      );
      return `- ${variant}\n${lines.join('\n')}`;
    })
    .join('\n');
  const md = `# Benchmark results

Generated by \`pnpm bench --write\` (${rounds} rounds, ${time} ms per case and round, ${startup.runs} starts per start-up
variant, ${seconds} s in all) on ${new Date(startedAt).toISOString().slice(0, 10)}. See [README.md](README.md) for what
each case measures and how to read the ratios.

## Machine and versions

- ${nproc} cores (nproc), ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory
- Node ${v.node}
${Object.entries(v)
  .filter(([k]) => k !== 'node')
  .map(([k, x]) => `- ${k} ${x}`)
  .join('\n')}

## CPU per operation (separate processes)

The real clients over an in-process \`fetch\` answering like the API, each variant in its own processes, rounds
alternating the variants. In each process, after a warm-up, blocks of operations are timed in CPU time
(\`process.cpuUsage()\`: garbage-collection threads included, other processes on the machine excluded); the figure
is the median block, then the median over rounds. Ratio to no instrumentation and the overhead in µs are taken
per round (against that round's baseline process), then the median over rounds; last, that overhead as a multiple
of instrumentation-openai's (\`otel-openai\`) on the same case.

\`llm-otel\` and \`otel-openai\` run with no LoggerProvider and no TracerProvider: the per-call log records and spans
are not made (ours) or are the API's no-ops (contrib's), so \`llm-otel\` is the overhead with logs and spans off.
\`llm-otel-signals\` and \`otel-openai-signals\` run with both on: register()'s logs and traces pipelines (a
LoggerProvider and a BasicTracerProvider, batch processors, OTLP/HTTP protobuf, content capture off) exporting to a
local receiver in another process that discards what it gets, so the figures include building, batching,
serialising and sending the records, and no backend; their ratio is to contrib with the same pipelines.

${markdown(cpuHeader, cpuRows)}

### Overhead per call and per chunk

${markdown(cpuDerivedHeader, cpuDerivedRows)}

Log records and spans dropped by the full export queues over the run (a dropped record costs less than an exported
one, so 0 is the fair case):

${droppedLines.join('\n') || '- none with logs and spans on in this run'}

## Overhead measured in-process

The same process and client with the instrumentation disabled and enabled in alternating blocks, timed in CPU
time, median of the paired differences, median over rounds. It cancels the differences between processes (and is
steadier on a loaded machine), but only for instrumentations that can be disabled in place (not openlit, whose
tracer provider and context manager would stay).

${markdown(pairedHeader, pairedRows)}

## Start-up

CPU time (user + system, every thread) and peak resident memory of a do-nothing app, median of
${startup.runs} starts per variant, each its own process, the variants alternating
([src/startup.mjs](src/startup.mjs)), on Node ${process.versions.node}. The app sits in a folder where \`openai\` is
installed, so the first \`--import\` variant installs the ES module loader hook (before Node 22.22.3 and 24.11.1 a
thread of its own), as it would in an app that uses a client; the second runs the same app from a folder where no
LLM client is installed (no hook); \`--require\` (CommonJS) needs none.

${markdown(startupHeader, startupRows)}

## Wall-clock time per operation

tinybench p50 per process, median over rounds; ratio to the baseline and overhead in µs. Includes the machine's
noise; the CPU figures above are the ones to quote.

${markdown(header, rows)}

Means, which include garbage-collection pauses (and any noise from other processes on the machine):

${markdown(header, meanRows)}

${markdown(derivedHeader, derivedRows)}

## Memory and scrape

\`recordInference()\` calls into an SDK MeterProvider with \`llmViews()\` and a Prometheus reader fed by
\`llmMetricProducer()\` (as \`register()\` sets up); heap after
\`gc()\`, relative to the heap after warm-up; scrape = reader collection + Prometheus serialisation (median of 15).

${markdown(memHeader, memRows)}

## What each variant recorded (per case)

${recorded}
`;
  writeFileSync(join(here, '..', 'results.md'), md);
  console.log('wrote bench/results.md');
}
