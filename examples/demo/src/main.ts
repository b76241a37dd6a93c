/**
 * The llm-otel demo: a small service making LLM calls against an embedded simulated model server,
 * measured into the llm_* metrics and served on a Prometheus /metrics endpoint.
 *
 *   pnpm demo                      # run 120 calls, print the llm_* series, exit
 *   DEMO_CALLS=500 pnpm demo       # more calls
 *   DEMO_SERVE=1 pnpm demo         # keep serving /metrics afterwards (Ctrl-C to stop)
 *   OTEL_EXPORTER_PROMETHEUS_PORT=9500 pnpm demo
 */
import { getLlmMetrics, getModelRegistry } from '@llm-otel/core';
import { ModelSimulator, Random } from '@llm-otel/model-simulator';
import { register } from '@llm-otel/node';
import { type CallResult, ollamaChat, openAIChat } from './measured-fetch-clients.js';
import { Progress } from './progress.js';

const CALLS = Number(process.env.DEMO_CALLS ?? 120);
const CONCURRENCY = 6;

async function main(): Promise<void> {
  const telemetry = register({ serviceName: 'llm-otel-demo', serviceVersion: '0.1.0' });
  await telemetry.ready;

  const server = new ModelSimulator();
  const baseUrl = await server.start();
  console.log(`simulated model server: ${baseUrl} (OpenAI /v1/chat/completions, Ollama /api/chat)`);

  const registry = getModelRegistry();
  registry.registerModel({
    modelName: 'mistral',
    version: 'v1.0.0',
    modelHash: 'sha256:5f1c3a9e',
    metadata: { deploymentDate: '2026-11-01' },
  });
  registry.registerModel({ modelName: 'gpt-4o-mini', version: '2024-07-18', modelHash: 'sha256:9b0d77c2' });

  const random = new Random(11);
  const quality = getLlmMetrics();
  const progress = new Progress(CALLS);
  let started = 0;
  let done = 0;
  let failed = 0;
  const call = async (): Promise<CallResult> => {
    const stream = random.chance(0.5);
    if (random.chance(0.6)) return openAIChat(baseUrl, 'gpt-4o-mini', stream);
    return ollamaChat(baseUrl, 'mistral', stream);
  };
  const worker = async () => {
    while (started < CALLS) {
      started++;
      const result = await call();
      done++;
      if (!result.ok) failed++;
      // An evaluator would score answers; the demo draws plausible scores.
      if (result.ok && random.chance(0.3)) {
        quality.recordQualityScore(Math.min(1, Math.max(0, 0.8 + 0.1 * random.normal())), {
          model: 'mistral',
          task: 'summarization',
        });
        quality.recordSummarizationLength(random.count(120, 0.4, 10, 2000), {
          model: 'mistral',
          task: 'summarization',
        });
        quality.recordIntentParsing(random.chance(0.92), { model: 'mistral', task: 'intent_parsing' });
      }
      progress.update(done, `failed=${failed}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  // A re-deploy: the llm_model_version series now shows v1.1.0 only.
  registry.registerModel({ modelName: 'mistral', version: 'v1.1.0', modelHash: 'sha256:77aa01fe' });

  const url = telemetry.prometheusUrl ?? '';
  const text = await (await fetch(url.replace('localhost', '127.0.0.1'))).text();
  const series = text
    .split('\n')
    .filter((l) => l.startsWith('llm_') && !l.includes('_bucket{'))
    .map((l) => l.replace(/,?otel_scope_(name|version)="[^"]*"/g, '').replace('{}', ''));
  console.log(`\n${series.length} llm_* series (buckets omitted) from ${url}:\n`);
  for (const line of series) console.log(`  ${line}`);
  console.log(`\nPrometheus endpoint: ${url}`);

  if (process.env.DEMO_SERVE) {
    console.log('serving /metrics until Ctrl-C');
    process.once('SIGINT', () => void Promise.all([server.stop(), telemetry.shutdown()]).then(() => process.exit(0)));
    return;
  }
  await server.stop();
  await telemetry.shutdown();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
