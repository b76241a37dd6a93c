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
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { require, requireLlmOtel } from './setup.mjs';

const { values: args } = parseArgs({
  options: {
    case: { type: 'string' },
    rounds: { type: 'string', default: '7' },
    time: { type: 'string', default: '1000' },
    cases: { type: 'string', default: 'tracking,capture-off,rate-0.01,rate-0.1' },
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
      `${c.padEnd(12)} ${median(results[c]).toFixed(3)} µs/call  (x${(median(results[c]) / base).toFixed(3)} of ${CASES[0]}; rounds: ${results[c].map((x) => x.toFixed(3)).join(' ')})`,
    );
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
  for (const end = Date.now() + 300; Date.now() < end; ) batch();
  const blocks = [];
  for (const end = Date.now() + Number(args.time); Date.now() < end || blocks.length < 5; ) {
    const start = process.cpuUsage();
    for (let k = 0; k < 10; k++) batch();
    const used = process.cpuUsage(start);
    blocks.push((used.user + used.system) / (10 * BATCH));
  }
  console.log([...blocks].sort((x, y) => x - y)[Math.floor(blocks.length / 2)]);
  process.exit(0);
}
