// `node bench/src/record-variant.mjs [--rounds 7] [--time 1000]`: the CPU time of one
// recordInference() (the fields of the `recordInference` case of worker.mjs, core aggregation as
// register() sets up) in three situations, each in processes of its own (experiments are
// process-wide), rounds interleaved, median of the processes' median blocks:
//   plain        no experiment defined (what every app without A/B testing pays)
//   outside      experiments defined, the call under no variant (the variant lookup)
//   arm          the call of an experiment arm (llm.variant label, A/B comparator samples)
// LLM_OTEL_BENCH_PACKAGES=/path measures built copies (e.g. core before a change) the same way;
// `--cases plain` for a core without experiments.
import { fileURLToPath } from 'node:url';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { caseArgs, printCpuPerCall, runCasesInProcesses } from './process-cases.mjs';
import { requireLlmOtel } from './setup.mjs';

const args = caseArgs('plain,outside,arm');
const BATCH = 1000;

if (args.case === undefined) {
  runCasesInProcesses(fileURLToPath(import.meta.url), args);
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
  printCpuPerCall(batch, BATCH, Number(args.time));
}
