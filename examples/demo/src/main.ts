/**
 * The llm-otel demo: a service making LLM calls through the real `openai`, `ollama` and
 * `@anthropic-ai/sdk` clients,
 * measured with no telemetry code of its own (started with `--import @llm-otel/node/register`),
 * against an embedded model simulator. It registers two model versions, re-deploys one, injects a
 * response-length drift that the in-process detector reports, runs an A/B experiment (users split
 * by id between two Claude models, the candidate slower and worse), then prints the llm_* series,
 * the spend per model, the latest rate-limit headroom and the A/B comparison.
 *
 * The simulator serves the OpenAI API on a loopback address, which llm-otel prices at 0 like any
 * local server; `pnpm demo` sets LLM_OTEL_PRICES_FILE to examples/llm-service/simulator-prices.json,
 * which prices its models at OpenAI's and Anthropic's list prices, so the spend shows what the calls
 * would cost. The Anthropic calls go to the simulator's Messages API (their system prompt is marked
 * for Anthropic's prompt cache: written once, then read).
 *
 *   pnpm demo                                   # everything local, no network, no API key
 *   OPENAI_BASE_URL=... OPENAI_API_KEY=... pnpm demo   # a real OpenAI-compatible endpoint
 *   OLLAMA_HOST=http://localhost:11434 pnpm demo       # a real Ollama
 *   ANTHROPIC_BASE_URL=... ANTHROPIC_API_KEY=... pnpm demo   # a real Anthropic endpoint
 *   DEMO_CALLS=600 DEMO_SERVE=1 pnpm demo       # more calls; keep serving /metrics afterwards
 */
import {
  assignVariant,
  getAbComparator,
  getDriftMonitor,
  getEvaluators,
  getLlmMetrics,
  getModelRegistry,
  withVariant,
} from '@llm-otel/core';
import { createClients, type Operation, runOperation } from '@llm-otel/example-llm-service/llm-calls';
import { ModelSimulator, Random } from '@llm-otel/model-simulator';
import { getRegistration } from '@llm-otel/node';
import { candidateProfile, defineSummaryExperiment, onTopicEvaluator } from './ab-experiment.js';
import { formatExperiment, summarizeExperiment } from './ab-summary.js';
import { Progress } from './progress.js';
import { formatHeadroom, formatSpend, headroomByKind, parseSamples, spendByModel } from './summary.js';

const CALLS = Number(process.env.DEMO_CALLS ?? 400);
const CONCURRENCY = 8;
const OPENAI_MODEL = process.env.DEMO_OPENAI_MODEL ?? 'gpt-4o-mini';
/** A reasoning model for some OpenAI chat calls: its reasoning tokens are billed as output. */
const REASONING_MODEL = process.env.DEMO_REASONING_MODEL ?? 'o4-mini';
const OLLAMA_MODEL = process.env.DEMO_OLLAMA_MODEL ?? 'mistral';
const ANTHROPIC_MODEL = process.env.DEMO_ANTHROPIC_MODEL ?? 'claude-haiku-4-5';
const ANTHROPIC_OPS: Operation[] = ['anthropic.messages', 'anthropic.messages.stream'];
const OPENAI_OPS: Operation[] = ['openai.chat', 'openai.chat.stream', 'openai.embeddings', 'openai.responses'];
const OLLAMA_OPS: Operation[] = ['ollama.chat', 'ollama.chat.stream', 'ollama.generate', 'ollama.generate.stream'];
/** Users of the A/B experiment (ids), and its calls: about 100 per arm by default, at least 40. */
const AB_USERS = 1000;
const AB_CALLS = Math.max(80, Math.round(CALLS / 2));

async function runCalls(label: string, n: number, call: () => Promise<boolean>): Promise<void> {
  const progress = new Progress(n, label);
  let started = 0;
  let done = 0;
  let failed = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      if (!(await call())) failed++;
      done++;
      progress.update(done, `failed=${failed}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function main(): Promise<void> {
  const telemetry = getRegistration();
  if (!telemetry)
    throw new Error('start the demo with: node --import @llm-otel/node/register dist/main.js (pnpm demo does)');
  await telemetry.ready;

  const simulator = new ModelSimulator({ firstTokenMedianMs: 60, perTokenMedianMs: 1.5, seed: 21 });
  const simulated = await simulator.start();
  const openaiUrl = process.env.OPENAI_BASE_URL ?? `${simulated}/v1`;
  const ollamaUrl = process.env.OLLAMA_HOST ?? simulated;
  const anthropicUrl = process.env.ANTHROPIC_BASE_URL ?? simulated;
  const clients = createClients({
    ...process.env,
    OPENAI_BASE_URL: openaiUrl,
    OLLAMA_HOST: ollamaUrl,
    ANTHROPIC_BASE_URL: anthropicUrl,
  });
  console.log(`model simulator  ${simulated}`);
  console.log(`openai client -> ${openaiUrl}${process.env.OPENAI_BASE_URL ? '' : ' (simulated)'}`);
  console.log(`ollama client -> ${ollamaUrl}${process.env.OLLAMA_HOST ? '' : ' (simulated)'}`);
  console.log(`anthropic client -> ${anthropicUrl}${process.env.ANTHROPIC_BASE_URL ? '' : ' (simulated)'}\n`);

  const registry = getModelRegistry();
  registry.registerModel({
    modelName: OLLAMA_MODEL,
    version: 'v1.0.0',
    modelHash: 'sha256:5f1c3a9e',
    metadata: { deploymentDate: '2026-11-01' },
  });
  registry.registerModel({ modelName: OPENAI_MODEL, version: '2024-07-18', modelHash: 'sha256:9b0d77c2' });
  console.log(`registered ${OLLAMA_MODEL} v1.0.0 and ${OPENAI_MODEL} 2024-07-18`);

  // Drift detection, with windows small enough for a demo of a few hundred calls: detectors are per
  // model and operation, so each sees a few dozen calls before the re-deploy.
  getLlmMetrics({ driftDetection: true });
  const drift = getDriftMonitor({ warmup: 5, referenceSize: 40, windowSize: 30, minSamples: 25, evaluateEvery: 5 });
  drift.onDrift((event) => {
    console.log(
      `\n>> drift detected: ${event.metric} of ${event.model} (${event.operation ?? 'any operation'}): KS=${event.ksStatistic.toFixed(3)} p=${event.pValue.toExponential(2)} PSI=${event.psi.toFixed(2)} (retraining hook fired)`,
    );
  });

  // Quality: an evaluator scores a sample of the instrumented calls, off the request path (a real
  // one would ask a judge model); the app records its own task outcomes with the recording API.
  getEvaluators().add({
    name: 'conciseness',
    sampleRate: 0.25,
    evaluate: ({ response, variant }) => {
      // The A/B experiment's calls are on_topic's: an arm's quality is one evaluator's scale.
      if (variant !== undefined) return undefined;
      const text = JSON.stringify(response ?? '');
      return text.length > 2 ? Math.max(0, 1 - text.length / 4000) : undefined;
    },
  });
  const quality = getLlmMetrics();

  const random = new Random(5);
  const call = async (): Promise<boolean> => {
    const openai = random.chance(0.5);
    const op = random.pick(openai ? OPENAI_OPS : OLLAMA_OPS);
    const reasoning = op === 'openai.chat' && random.chance(0.5);
    const model = openai ? (reasoning ? REASONING_MODEL : OPENAI_MODEL) : OLLAMA_MODEL;
    try {
      const text = await runOperation(clients, op, model, 'Summarise the release notes in two sentences.');
      const words = text.split(/\s+/).filter(Boolean).length;
      if (op === 'openai.chat' || op === 'ollama.chat')
        quality.recordSummarizationLength(words, { model, task: 'summarization' });
      // The intent parser accepts answers of up to 100 words.
      if (op === 'ollama.generate')
        quality.recordIntentParsing(words > 0 && words <= 100, { model, task: 'intent_parsing' });
      return true;
    } catch {
      return false; // the simulator fails some calls on purpose (429, 500): they are counted
    }
  };

  await runCalls('baseline', Math.round(CALLS * 0.6), call);

  registry.registerModel({ modelName: OLLAMA_MODEL, version: 'v1.1.0', modelHash: 'sha256:77aa01fe' });
  console.log(
    `\nre-deployed ${OLLAMA_MODEL}: version ${registry.getModelVersion(OLLAMA_MODEL)} (llm_model_version: v1.1.0 is 1, v1.0.0 is 0)`,
  );
  // The new version answers at greater length: the response-length distribution drifts.
  simulator.setModelProfile(OLLAMA_MODEL, { completionTokensMedian: simulator.profile.completionTokensMedian * 1.8 });
  await runCalls('after re-deploy', CALLS - Math.round(CALLS * 0.6), call);

  // Claude's calls come last, so the seeded traffic and drift above stay as they were.
  let anthropicCalls = 0;
  await runCalls('anthropic', Math.max(2, Math.round(CALLS / 10)), async () => {
    const op = ANTHROPIC_OPS[anthropicCalls++ % ANTHROPIC_OPS.length] as Operation;
    try {
      await runOperation(clients, op, ANTHROPIC_MODEL, 'Summarise the release notes in two sentences.');
      return true;
    } catch {
      return false;
    }
  });

  // The A/B experiment comes last too. Each user id always gets the same arm; the comparator
  // compares the arms' latency, quality scores and error ratios off the request path.
  const ab = defineSummaryExperiment();
  simulator.setModelProfile(ab.modelOf(ab.candidate), candidateProfile(simulator.profile));
  getEvaluators().add(onTopicEvaluator);
  const users = Array.from({ length: AB_USERS }, (_, i) => `user-${String(i + 1).padStart(4, '0')}`);
  const onCandidate = users.filter((user) => assignVariant(user, ab.experiment) === ab.candidate).length;
  console.log(
    `\nA/B experiment ${ab.experiment.name}: ${AB_USERS} users split by id, ${AB_USERS - onCandidate} on ${ab.baseline.name} (${ab.modelOf(ab.baseline)}), ${onCandidate} on ${ab.candidate.name} (${ab.modelOf(ab.candidate)})`,
  );
  await runCalls('A/B experiment', AB_CALLS, async () => {
    const variant = assignVariant(random.pick(users), ab.experiment);
    try {
      await withVariant(variant, () =>
        runOperation(
          clients,
          'anthropic.messages',
          ab.modelOf(variant),
          'Summarise the release notes in two sentences.',
        ),
      );
      return true;
    } catch {
      return false;
    }
  });
  // Every score in, then the comparison computed now (the gauges otherwise recompute at most every 10 s).
  await getEvaluators().whenIdle();
  getAbComparator().compare();

  const url = telemetry.prometheusUrl ?? '';
  const text = await (await fetch(url.replace('localhost', '127.0.0.1'))).text();
  const lines = text.split('\n').filter((l) => l.startsWith('llm_') && !l.includes('_bucket{'));
  const byName = new Map<string, number>();
  for (const l of lines) {
    const name = l.slice(0, l.search(/[{ ]/));
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  console.log(`\n${lines.length} llm_* series (buckets omitted) on ${url}:`);
  for (const [name, n] of byName) console.log(`  ${name.padEnd(44)} ${n} series`);
  const show = (pattern: RegExp) => {
    for (const l of lines.filter((x) => pattern.test(x)))
      console.log(`  ${l.replace(/,?otel_scope_(name|version)="[^"]*"/g, '').replace('{}', '')}`);
  };
  console.log('\nmodel versions and drift:');
  show(/^llm_model_version\{/);
  show(/^llm_response_quality_score\{/);
  show(/^llm_intent_parsing_accuracy_total\{/);
  show(/^llm_drift_detected\{/);
  const samples = parseSamples(text);
  console.log('\nspend per model (llm_cost_usd_total, USD):');
  for (const line of formatSpend(spendByModel(samples))) console.log(line);
  // A loopback server (the simulator) costs 0 unless a price table prices its models.
  const prices = process.env.LLM_OTEL_PRICES_FILE;
  console.log(`  (prices: built-in table${prices ? ` + ${prices}` : ''}; local servers cost 0 unless priced)`);
  console.log('\nrate-limit headroom, as of the latest response (llm_rate_limit_*):');
  for (const line of formatHeadroom(headroomByKind(samples))) console.log(line);
  console.log(`\nA/B experiment ${ab.experiment.name} (llm_variant, llm_ab_*):`);
  for (const line of formatExperiment(summarizeExperiment(samples, ab.experiment.name))) console.log(line);
  console.log(`\nPrometheus endpoint: ${url}`);

  if (process.env.DEMO_SERVE) {
    console.log('serving /metrics until Ctrl-C');
    process.once(
      'SIGINT',
      () => void Promise.all([simulator.stop(), telemetry.shutdown()]).then(() => process.exit(0)),
    );
    return;
  }
  await simulator.stop();
  await telemetry.shutdown();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
