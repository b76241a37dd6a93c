// `node bench/src/record-variant.mjs [--rounds 7] [--time 1000]`: the CPU time of one
// recordInference() (the fields of the `recordInference` case of worker.mjs, core aggregation as
// register() sets up) in three situations, each in processes of its own (experiments are
// process-wide), rounds interleaved, median of the processes' median blocks:
//   plain        no experiment defined (what every app without A/B testing pays)
//   outside      experiments defined, the call under no variant (the variant lookup)
//   arm          the call of an experiment arm (llm.variant label, A/B comparator samples)
// LLM_OTEL_BENCH_PACKAGES=/path measures built copies (e.g. core before a change) the same way;
// `--cases plain` for a core without experiments.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { requireLlmOtel } from './setup.mjs';

const { values: args } = parseArgs({
  options: {
    case: { type: 'string' },
    rounds: { type: 'string', default: '7' },
    time: { type: 'string', default: '1000' },
    cases: { type: 'string', default: 'plain,outside,arm' },
  },
});
const CASES = args.cases.split(',');
const BATCH = 1000;

if (args.case === undefined) {
  const results = Object.fromEntries(CASES.map((c) => [c, []]));
  for (let r = 0; r < Number(args.rounds); r++)
    for (const c of CASES) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--case', c, '--time', args.time]);
      results[c].push(Number(out.toString().trim()));
    }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(results[CASES[0]]);
  for (const c of CASES)
    console.log(
      `${c.padEnd(8)} ${median(results[c]).toFixed(3)} µs/call  (x${(median(results[c]) / base).toFixed(3)} of ${CASES[0]}; rounds: ${results[c].map((x) => x.toFixed(3)).join(' ')})`,
    );
} else {
  metrics.setGlobalMeterProvider(
    new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] }),
  );
  const core = requireLlmOtel('@llm-otel/core');
  const llm = core.getLlmMetrics();
  llm.attachAggregator(new (requireLlmOtel('@llm-otel/core/internal').FastAggregator)());
  let variant;
  if (args.case !== 'plain') {
    if (typeof core.defineExperiment !== 'function') throw new Error('this core has no experiments: run --cases plain');
    const a = core.defineVariant({ name: 'bench-a' });
    const b = core.defineVariant({ name: 'bench-b' });
    core.defineExperiment({ name: 'bench', variants: [a, b] });
    if (args.case === 'arm') variant = a;
  }
  const record = {
    provider: 'openai',
    operation: 'chat',
    model: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    serverAddress: 'api.openai.com',
    serverPort: 443,
    durationSeconds: 0.8,
    inputTokens: 42,
    outputTokens: 200,
    timeToFirstTokenSeconds: 0.12,
    ...(variant === undefined ? {} : { variant }),
  };
  const batch = () => {
    for (let i = 0; i < BATCH; i++) {
      record.durationSeconds = 0.8 + (i % 10) / 100;
      llm.recordInference(record);
    }
  };
  for (const end = Date.now() + 300; Date.now() < end; ) batch();
  const blocks = [];
  for (const end = Date.now() + Number(args.time); Date.now() < end || blocks.length < 5; ) {
    const start = process.cpuUsage();
    for (let k = 0; k < 10; k++) batch();
    const used = process.cpuUsage(start);
    blocks.push((used.user + used.system) / (10 * BATCH));
  }
  console.log([...blocks].sort((x, y) => x - y)[Math.floor(blocks.length / 2)]);
}
