// `node bench/src/record-artifacts.mjs [--rounds 7] [--time 1000]`: the CPU time of one
// recordInference() of a call under a prompt variant, with @llm-otel/mlflow's experiment tracking
// as the variant sink (as register() starts it with MLFLOW_TRACKING_URI; nothing is sent: the
// flush interval is an hour), in processes of their own, rounds interleaved, median of the
// processes' median blocks:
//   tracking     artifacts off (the variant aggregates only)
//   capture-off  artifacts on (rate 0.1), the app's content capture off: no content is taken
//   rate-0.01    artifacts on, content capture on, 1% of the calls sampled (redacted copy + JSONL line)
//   rate-0.1     the same, 10% sampled
// The record carries messages (as an instrumentation hands them over with capture on) in every case.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { caseArgs, printCpuPerCall, runCasesInProcesses } from './process-cases.mjs';
import { require, requireLlmOtel } from './setup.mjs';

const args = caseArgs('tracking,capture-off,rate-0.01,rate-0.1');
const BATCH = 1000;

if (args.case === undefined) {
  runCasesInProcesses(fileURLToPath(import.meta.url), args);
} else {
  metrics.setGlobalMeterProvider(
    new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] }),
  );
  const core = requireLlmOtel('@llm-otel/core');
  // @llm-otel/mlflow as @llm-otel/node loads it (the bench depends on node, node on mlflow).
  const mlflow = createRequire(require.resolve('@llm-otel/node'))('@llm-otel/mlflow');
  const llm = core.getLlmMetrics();
  llm.attachAggregator(new (requireLlmOtel('@llm-otel/core/internal').FastAggregator)());
  const variant = core.defineVariant({
    name: 'bench-a',
    template: 'Answer briefly: {question}',
    templateVersion: 'v1',
  });
  const rate = { 'capture-off': 0.1, 'rate-0.01': 0.01, 'rate-0.1': 0.1 }[args.case];
  llm.configureCallEvents({
    captureContent: args.case.startsWith('rate-'),
    redact: (text) => text.replaceAll('4111-1111-1111-1111', '[card]'),
  });
  mlflow.startVariantTracking(
    {
      trackingUri: 'http://127.0.0.1:9',
      flushIntervalMs: 3_600_000,
      // Large caps: the sampled path (copy, redaction, serialization) is measured, not the drop path.
      artifacts:
        rate === undefined
          ? false
          : { sampleRate: rate, maxRecordsPerFlush: 100_000, maxBytes: 1 << 30, maxBufferBytes: 2 ** 32 },
    },
    {},
  );
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
    variant,
    inputMessages: [
      { role: 'system', parts: [{ type: 'text', content: 'Answer briefly, in the tone of a helpful support agent.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'My card 4111-1111-1111-1111 was charged twice, why?' }] },
    ],
    outputMessages: [
      {
        role: 'assistant',
        parts: [
          {
            type: 'text',
            content:
              'Sorry about that. A pending authorization can look like a second charge; it drops off within a few days.',
          },
        ],
        finish_reason: 'stop',
      },
    ],
  };
  const batch = () => {
    for (let i = 0; i < BATCH; i++) {
      record.durationSeconds = 0.8 + (i % 10) / 100;
      llm.recordInference(record);
    }
  };
  printCpuPerCall(batch, BATCH, Number(args.time));
  process.exit(0);
}
