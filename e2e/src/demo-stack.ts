/**
 * `pnpm demo:stack`: the whole pipeline for a person to look at. The example service (real openai,
 * ollama and Anthropic clients, no telemetry code, started with --import @llm-otel/node/register), the model
 * simulator, the otelcol-llm collector and Prometheus with the repository's rules, and the trace and
 * log stores (Jaeger, VictoriaLogs: built by `pnpm stores:build`; without them the demo runs with
 * metrics only) that get one span and one log record per call, with steady traffic and now and then
 * a slow burst. With the venv of `pnpm mlflow:setup`, also MLflow: the service sends it its calls'
 * traces (experiment `llm-service`) and its model versions. Prints the URLs and how to find a call in
 * each store, then the calls, the spend per model and the rate-limit headroom as Prometheus has them;
 * Ctrl-C stops everything. The simulator's models are priced at OpenAI's and Anthropic's list prices
 * (examples/llm-service/simulator-prices.json).
 *
 * DEMO_STACK_SECONDS=120 stops by itself after that many seconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { startCollector, storeEndpoints } from './collector.js';
import { findACall, printOneCall, startStores } from './demo-stores.js';
import { startLlmService } from './llm-service.js';
import { type DemoMlflow, mlflowServiceEnv, mlflowWhereToLook, printMlflowTraces, startDemoMlflow } from './mlflow.js';
import { freePorts, stopAll } from './processes.js';
import { startPrometheus } from './prometheus.js';
import { spendAndHeadroom } from './stack-summary.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const SERVICE = 'llm-service';
/** One request per second each; o4-mini is a reasoning model (its reasoning tokens are billed as output). */
const REQUESTS: Array<{ operation: string; model?: string }> = [
  { operation: 'openai.chat' },
  { operation: 'openai.chat', model: 'o4-mini' },
  { operation: 'openai.chat.stream' },
  { operation: 'openai.embeddings' },
  { operation: 'openai.responses' },
  { operation: 'ollama.chat' },
  { operation: 'ollama.generate.stream' },
  { operation: 'ollama.embed' },
  { operation: 'anthropic.messages' },
  { operation: 'anthropic.messages.stream', model: 'claude-sonnet-4-5' },
];

/** MLflow's server, once started (its own process group: stopped apart from the other services). */
let mlflow: DemoMlflow | undefined;

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-stack-'));
  console.log('building (or reusing) the collector ...');
  execFileSync('bash', [join(repoRoot, 'collector', 'build.sh')], { stdio: 'inherit' });

  const [grpc, http, prom, health, self, promPort, appPort, directPort, mlflowPort] = (await freePorts(
    9,
  )) as number[] as [number, number, number, number, number, number, number, number, number];
  const simulator = new ModelSimulator({ seed: Date.now() % 100000 });
  const modelUrl = await simulator.start();
  const [stores, started] = await Promise.all([startStores(repoRoot, workDir), startDemoMlflow(mlflowPort, workDir)]);
  mlflow = started;
  await startCollector(repoRoot, { grpc, http, prometheus: prom, health, self }, workDir, storeEndpoints(stores));
  const { url: prometheusUrl } = await startPrometheus({
    repoRoot,
    workDir,
    port: promPort,
    collectorMetricsTarget: `127.0.0.1:${prom}`,
    collectorSelfTarget: `127.0.0.1:${self}`,
  });
  const { url: appUrl } = await startLlmService({
    repoRoot,
    logDir: workDir,
    serviceName: SERVICE,
    port: appPort,
    directMetricsPort: directPort,
    otlpPort: http,
    modelUrl,
    exportIntervalMs: 5000,
    // One log record and one span per call, when their store runs.
    perCallSignals: stores.jaeger !== undefined || stores.logs !== undefined,
    extraEnv: {
      ...(stores.jaeger ? {} : { OTEL_TRACES_EXPORTER: 'none' }),
      ...(stores.logs ? {} : { OTEL_LOGS_EXPORTER: 'none' }),
      // The calls' traces also go to MLflow (beside Jaeger's, or alone), and the model versions.
      ...(mlflow ? mlflowServiceEnv(mlflow) : {}),
    },
  });

  console.log(`
  model simulator        ${modelUrl}  (OpenAI /v1, Ollama /api, Anthropic /v1/messages)
  llm-service            ${appUrl}  (POST /ask, GET /api/v1/models/version)
  app's own /metrics     http://127.0.0.1:${directPort}/metrics
  collector /metrics     http://127.0.0.1:${prom}/metrics
  Prometheus             ${prometheusUrl}  (alerts: ${prometheusUrl}/alerts, rules: ${prometheusUrl}/rules)
  process logs           ${workDir}
${findACall(SERVICE, stores)}${mlflow ? `\n${mlflowWhereToLook(mlflow)}` : ''}
`);
  void printOneCall(SERVICE, stores).catch(() => {}); // only a convenience: the queries above work the same
  if (mlflow) void printMlflowTraces(mlflow).catch(() => {});

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping ...');
    await Promise.all([stopAll(), mlflow?.stop()]);
    await simulator.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const seconds = Number(process.env.DEMO_STACK_SECONDS ?? 0);
  if (seconds > 0) setTimeout(stop, seconds * 1000).unref();

  let calls = 0;
  let failed = 0;
  let summary = '';
  const startedAt = Date.now();
  for (let tick = 0; !stopping; tick++) {
    // Every 90 s, 20 s of a degraded model: watch HighLLMLatency go pending at /alerts.
    simulator.extraDelayMs = tick % 90 >= 70 ? 5500 : 0;
    const batch = REQUESTS.map((request) =>
      fetch(`${appUrl}/ask`, { method: 'POST', body: JSON.stringify(request) })
        .then((r) => {
          calls++;
          if (r.status !== 200) failed++;
          return r.body?.cancel();
        })
        .catch(() => {}),
    );
    void Promise.all(batch);
    if (tick % 5 === 0)
      void spendAndHeadroom(prometheusUrl, SERVICE)
        .then((line) => {
          summary = line;
        })
        .catch(() => {}); // Prometheus may be restarting; the last line stays
    const status = `${Math.round((Date.now() - startedAt) / 1000)} s  ${calls} calls  ${failed} failed  ${simulator.extraDelayMs ? 'model degraded' : 'model healthy '}  ${summary}`;
    if (process.stdout.isTTY) process.stdout.write(`\r${status}`);
    else if (tick % 10 === 0) console.log(status);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

main().catch(async (error: unknown) => {
  console.error(error);
  await Promise.all([stopAll(), mlflow?.stop()]);
  process.exit(1);
});
