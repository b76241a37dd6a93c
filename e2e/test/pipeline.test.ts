/**
 * The spec's pipeline, all real: the example service (real `openai`, `ollama` and `@anthropic-ai/sdk` clients, started
 * with `--import @llm-otel/node/register`) -> OTLP -> the otelcol-llm collector -> Prometheus with
 * the repository's rules, and the per-call log records and spans -> VictoriaLogs and Jaeger (built
 * by `pnpm stores:build`); the model is the simulator. Every server runs on free loopback ports and
 * is stopped even when a step fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATIONS } from '@llm-otel/example-llm-service/llm-calls';
import { dashboardQueries } from '@llm-otel/grafana';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorPorts, startCollector, storeEndpoints } from '../src/collector.js';
import { callsOfModelQuery, jaegerSearchUrl } from '../src/find-a-call.js';
import { type Jaeger, type JaegerTrace, jaegerTrace, jaegerTraces, startJaeger, tag } from '../src/jaeger.js';
import { simulatorPricesFile, startLlmService } from '../src/llm-service.js';
import { eventually, freePorts, type Service, stopAll } from '../src/processes.js';
import { alerts, metricNames, query, startPrometheus } from '../src/prometheus.js';
import { spendAndHeadroom } from '../src/stack-summary.js';
import { type LogEntry, logsQuery, startVictoriaLogs, type VictoriaLogs } from '../src/victoria-logs.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-e2e-'));
const SERVICE = 'llm-service-e2e';

const simulator = new ModelSimulator({
  firstTokenMedianMs: 40,
  perTokenMedianMs: 1,
  rateLimitRate: 0.05,
  serverErrorRate: 0.03,
  seed: 3,
});
let collectorPorts: CollectorPorts;
/** The collector's store endpoints (also for its restart in the outage test). */
let collectorEnv: Record<string, string>;
let collector: Service;
let jaeger: Jaeger;
let logStore: VictoriaLogs;
let prometheusUrl: string;
let appUrl: string;
let directUrl: string;
let simulatorUrl: string;

/** A reasoning model: the simulator reports a share of its output as reasoning tokens. */
const REASONING_MODEL = 'o4-mini';

/** The prompt of every call (the service's default one): it must never reach a store. */
const PROMPT = 'Summarise the release notes in two sentences.';
/** Calls made through the service, and the answers it returned (text must never reach a store either). */
const asked = { calls: 0, answers: new Set<string>() };

async function ask(operation: string, model?: string): Promise<{ ok: boolean }> {
  asked.calls++;
  const r = await fetch(`${appUrl}/ask`, {
    method: 'POST',
    body: JSON.stringify({ operation, model, prompt: PROMPT }),
  });
  const body = (await r.json()) as { ok: boolean; text?: string };
  if (body.ok && body.text) asked.answers.add(body.text);
  return body;
}

/**
 * Rounds of every operation (plus a reasoning model's chat and streamed response, for the token
 * mix), spaced so that several exports and scrapes see the counters grow.
 */
async function driveAll(rounds: number, pauseMs = 600): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await Promise.all([
      ...OPERATIONS.map((op) => ask(op)),
      ask('openai.chat', REASONING_MODEL),
      ask('openai.responses.stream', REASONING_MODEL),
    ]);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

interface TokenPrices {
  input: number;
  cachedInput?: number;
  cacheCreationInput?: number;
  output: number;
}

/** The service's price file, per provider and model. */
function priceFile(): Record<string, Record<string, TokenPrices>> {
  return (
    JSON.parse(readFileSync(simulatorPricesFile(repoRoot), 'utf8')) as {
      providers: Record<string, Record<string, TokenPrices>>;
    }
  ).providers;
}

/**
 * US dollars per `provider model token_type` that the tokens the simulator answered on its OpenAI
 * and Anthropic routes cost at the prices of the service's price file (computed here, independently
 * of core's pricing): uncached input, cached input (cache reads), cache writes, output other than
 * reasoning, reasoning (billed as output).
 */
function expectedCost(): Map<string, number> {
  const table = priceFile();
  const cost = new Map<string, number>();
  for (const [key, l] of simulator.ledger) {
    const space = key.indexOf(' ');
    const [path, model] = [key.slice(0, space), key.slice(space + 1)];
    const provider = ROUTES[path]?.provider;
    if (provider === undefined) throw new Error(`the test does not know the route of ${key}`);
    if (provider === 'ollama') continue; // a local model, cost 0
    const price = table[provider]?.[model];
    if (price === undefined) throw new Error(`the price file has no price for ${provider} ${model}`);
    const add = (type: string, tokens: number, usdPerMillion: number) =>
      cost.set(
        `${provider} ${model} ${type}`,
        (cost.get(`${provider} ${model} ${type}`) ?? 0) + (tokens * usdPerMillion) / 1e6,
      );
    add('input', l.promptTokens - l.cachedTokens - l.cacheWriteTokens, price.input);
    add('cached_input', l.cachedTokens, price.cachedInput ?? price.input);
    // Only Anthropic reports cache writes: no series for a provider that never does.
    if (provider === 'anthropic')
      add('cache_creation_input', l.cacheWriteTokens, price.cacheCreationInput ?? price.input);
    add('output', l.completionTokens - l.reasoningTokens, price.output);
    add('reasoning', l.reasoningTokens, price.output);
  }
  return cost;
}

/** Sum of a metric on the app's own /metrics endpoint. */
async function directSum(name: string, match: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(directUrl)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(match).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function promSum(expr: string): Promise<number> {
  const result = await query(prometheusUrl, `sum(${expr})`);
  return result.length === 0 ? 0 : Number(result[0]?.value[1]);
}

beforeAll(async () => {
  const [grpc, http, prometheus, health, self, promPort, appPort, directPort, ...stores] = await freePorts(13);
  const [jOtlpGrpc, jOtlpHttp, jQueryHttp, jQueryGrpc, vlPort] = stores as [number, number, number, number, number];
  collectorPorts = { grpc, http, prometheus, health, self } as CollectorPorts;
  let modelUrl: string;
  [modelUrl, jaeger, logStore] = await Promise.all([
    simulator.start(),
    startJaeger(
      repoRoot,
      { otlpGrpc: jOtlpGrpc, otlpHttp: jOtlpHttp, queryHttp: jQueryHttp, queryGrpc: jQueryGrpc },
      workDir,
    ),
    startVictoriaLogs(repoRoot, vlPort, workDir),
  ]);
  simulatorUrl = modelUrl;
  collectorEnv = storeEndpoints({ jaeger, logs: logStore });
  collector = await startCollector(repoRoot, collectorPorts, workDir, collectorEnv);
  ({ url: prometheusUrl } = await startPrometheus({
    repoRoot,
    workDir,
    port: promPort as number,
    collectorMetricsTarget: `127.0.0.1:${prometheus}`,
    collectorSelfTarget: `127.0.0.1:${self}`,
  }));
  ({ url: appUrl, directMetricsUrl: directUrl } = await startLlmService({
    repoRoot,
    logDir: workDir,
    serviceName: SERVICE,
    port: appPort as number,
    directMetricsPort: directPort as number,
    otlpPort: http as number,
    modelUrl,
    exportIntervalMs: 1000,
    perCallSignals: true,
    extraEnv: {
      LLM_OTEL_HEALTH_PROBE_INTERVAL_MS: '1000',
      LLM_OTEL_DRIFT_DETECTION: 'true',
      // Detectors are per model and operation: gpt-4o-mini's chat gets 4 calls a round (chat,
      // responses, streamed or not), ~29 successful in 8 rounds; 10 + 10 are needed for an evaluation.
      DRIFT_REFERENCE_SIZE: '10',
      DRIFT_WINDOW_SIZE: '10',
    },
  }));
  await driveAll(8);
}, 120_000);

afterAll(async () => {
  await stopAll();
  await simulator.stop();
});

const SERIES = [
  'llm_inference_latency_seconds_bucket',
  'llm_inference_latency_seconds_count',
  'llm_inference_latency_seconds_sum',
  'llm_token_generation_rate_total',
  'llm_request_token_count_bucket',
  'llm_error_rate_total',
  'llm_response_quality_score',
  'llm_summarization_length_bucket',
  'llm_model_version',
  'llm_model_deployed_at_seconds',
  'llm_time_to_first_token_seconds_bucket',
  'llm_time_per_output_token_seconds_bucket',
  'llm_model_up',
  'llm_drift_ks_statistic',
  'llm_drift_psi',
  'llm_drift_p_value',
  'llm_drift_detected',
];

const EVENT = 'gen_ai.client.inference.operation.details';

/** The GenAI provider and operation of each simulator route the service calls. */
const ROUTES: Record<string, { provider: string; operation: string }> = {
  '/v1/chat/completions': { provider: 'openai_compatible', operation: 'chat' },
  '/v1/responses': { provider: 'openai_compatible', operation: 'chat' },
  '/v1/completions': { provider: 'openai_compatible', operation: 'text_completion' },
  '/v1/embeddings': { provider: 'openai_compatible', operation: 'embeddings' },
  '/api/chat': { provider: 'ollama', operation: 'chat' },
  '/api/generate': { provider: 'ollama', operation: 'text_completion' },
  '/api/embed': { provider: 'ollama', operation: 'embeddings' },
  '/v1/messages': { provider: 'anthropic', operation: 'chat' },
};

/** The Anthropic model the service asks for by default. */
const ANTHROPIC_MODEL = 'claude-haiku-4-5';

/**
 * Token counts of calls. `input` is every prompt token (the GenAI conventions' input: Anthropic's
 * `input_tokens` plus its cache reads and writes), `cached` and `cacheWrite` the cache reads and
 * writes among them.
 */
interface TokenSums {
  calls: number;
  input: number;
  output: number;
  cached: number;
  cacheWrite: number;
  reasoning: number;
}

/** Token sums of the simulator's ledger per `provider operation model` (its successful answers). */
function ledgerTokens(): Map<string, TokenSums> {
  const sums = new Map<string, TokenSums>();
  for (const [key, l] of simulator.ledger) {
    const space = key.indexOf(' ');
    const route = ROUTES[key.slice(0, space)];
    if (route === undefined) throw new Error(`the test does not know the route of ${key}`);
    const group = `${route.provider} ${route.operation} ${key.slice(space + 1)}`;
    const s = sums.get(group) ?? { calls: 0, input: 0, output: 0, cached: 0, cacheWrite: 0, reasoning: 0 };
    s.calls += l.requests;
    s.input += l.promptTokens;
    s.output += l.completionTokens;
    s.cached += l.cachedTokens;
    s.cacheWrite += l.cacheWriteTokens;
    s.reasoning += l.reasoningTokens;
    sums.set(group, s);
  }
  return sums;
}

/** The same sums from the log records (a missing count is 0: failures and embeddings' output). */
function recordTokens(entries: LogEntry[]): Map<string, TokenSums> {
  const sums = new Map<string, TokenSums>();
  const n = (entry: LogEntry, field: string) => Number(entry[field] ?? 0);
  for (const e of entries) {
    const group = `${e['gen_ai.provider.name']} ${e['gen_ai.operation.name']} ${e['gen_ai.request.model']}`;
    const s = sums.get(group) ?? { calls: 0, input: 0, output: 0, cached: 0, cacheWrite: 0, reasoning: 0 };
    s.calls++;
    s.input += n(e, 'gen_ai.usage.input_tokens');
    s.output += n(e, 'gen_ai.usage.output_tokens');
    s.cached += n(e, 'gen_ai.usage.cache_read.input_tokens');
    s.cacheWrite += n(e, 'gen_ai.usage.cache_write.input_tokens');
    s.reasoning += n(e, 'gen_ai.usage.reasoning.output_tokens');
    sums.set(group, s);
  }
  return sums;
}

/**
 * US dollars one call's record costs at the price file's prices of its provider (reasoning billed
 * as output; the input count holds the cache reads and writes, each billed at its own price).
 */
function recordCost(entry: LogEntry, prices: Record<string, Record<string, TokenPrices>>): number {
  const price = prices[entry['gen_ai.provider.name'] ?? '']?.[entry['gen_ai.request.model'] ?? ''];
  if (price === undefined) throw new Error(`the price file has no price for ${JSON.stringify(entry)}`);
  const n = (field: string) => Number(entry[field] ?? 0);
  const cached = n('gen_ai.usage.cache_read.input_tokens');
  const written = n('gen_ai.usage.cache_write.input_tokens');
  return (
    ((n('gen_ai.usage.input_tokens') - cached - written) * price.input +
      cached * (price.cachedInput ?? price.input) +
      written * (price.cacheCreationInput ?? price.input) +
      n('gen_ai.usage.output_tokens') * price.output) /
    1e6
  );
}

/** Every per-call log record of the service in VictoriaLogs, once there are `n` (polls; undefined until then). */
async function callRecords(n: number): Promise<LogEntry[] | undefined> {
  const entries = await logsQuery(
    logStore.url,
    `{service.name=${JSON.stringify(SERVICE)}} event_name:=${JSON.stringify(EVENT)}`,
    10 * n,
  );
  return entries.length >= n ? entries : undefined;
}

/** `otelcol_exporter_sent_log_records` of the collector's logs exporter (its own /metrics). */
async function collectorSentLogRecords(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${collectorPorts.self}/metrics`)).text();
  const sent = /^otelcol_exporter_sent_log_records\{[^}]*exporter="otlp_http\/logs"[^}]*\} (\d+)$/m.exec(text);
  return Number(sent?.[1] ?? 0);
}

/** The per-call log records of beforeAll's traffic, as VictoriaLogs returns them. */
let entries: LogEntry[] = [];

// These two blocks look at the traffic of beforeAll only: they run before the next one makes more calls.
describe('app -> collector -> VictoriaLogs: one log record per LLM call', () => {
  it('stores exactly one record per call the service made', async () => {
    const n = asked.calls;
    expect(n).toBe(8 * (OPERATIONS.length + 2));
    entries = await eventually(`${n} log records in VictoriaLogs`, 30_000, () => callRecords(n));
    // The collector's own count: it sent the store n records, not more (no duplicates, no others).
    const sent = await eventually('the collector to count the records it sent', 10_000, async () => {
      const count = await collectorSentLogRecords();
      return count >= n ? count : undefined;
    });
    expect(sent).toBe(n);
    expect(entries).toHaveLength(n);
    expect(await directSum('llm_inference_latency_seconds_count')).toBe(n);
  }, 60_000);

  it('carries provider, operation, models, server and severity; failures carry error.type and WARN', () => {
    const simulatorPort = new URL(simulatorUrl).port;
    const failures = simulator.totals().failures;
    for (const e of entries) {
      expect(e['scope.name'], 'scope').toMatch(/^@llm-otel\//);
      expect(['openai_compatible', 'ollama', 'anthropic']).toContain(e['gen_ai.provider.name']);
      expect(['chat', 'text_completion', 'embeddings']).toContain(e['gen_ai.operation.name']);
      expect(['gpt-4o-mini', REASONING_MODEL, 'mistral', ANTHROPIC_MODEL]).toContain(e['gen_ai.request.model']);
      expect(e['server.address']).toBe('127.0.0.1');
      expect(e['server.port']).toBe(simulatorPort);
      expect(Number(e['llm.request.duration'])).toBeGreaterThan(0);
      if (e['error.type'] === undefined) {
        expect(e.severity_text, JSON.stringify(e)).toBe('INFO');
        const anthropic = e['gen_ai.provider.name'] === 'anthropic';
        const simGeneration =
          (anthropic || e['gen_ai.provider.name'] === 'openai_compatible') &&
          e['gen_ai.operation.name'] !== 'embeddings';
        // The simulator names its OpenAI and Anthropic generations `<model>-sim`, and answers others with the model asked for.
        expect(e['gen_ai.response.model'], JSON.stringify(e)).toBe(
          `${e['gen_ai.request.model']}${simGeneration ? '-sim' : ''}`,
        );
        if (simGeneration) {
          expect(e['gen_ai.response.id'], JSON.stringify(e)).toMatch(
            anthropic ? /^msg_sim/ : /^(chatcmpl-sim|cmpl-sim|resp_sim)/,
          );
        }
        // Generations say why they stopped (Anthropic in its own words); the Responses API has no finish reason (`resp_` ids).
        const responsesApi = e['gen_ai.response.id']?.startsWith('resp_') === true;
        if (e['gen_ai.operation.name'] !== 'embeddings' && !responsesApi)
          expect(e['gen_ai.response.finish_reasons'], JSON.stringify(e)).toBe(anthropic ? '["end_turn"]' : '["stop"]');
      } else {
        expect(e.severity_text, JSON.stringify(e)).toBe('WARN');
      }
    }
    const failed = entries.filter((e) => e['error.type'] !== undefined);
    expect(failed).toHaveLength(Object.values(failures).reduce((a, b) => a + b, 0));
    expect(failed.filter((e) => e['error.type'] === 'rate_limit')).toHaveLength(failures['429'] ?? 0);
  });

  it("carries the tokens the simulator's ledger counted, per provider, operation and model", () => {
    const want = ledgerTokens();
    const got = recordTokens(entries);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [group, sums] of want) expect(got.get(group), group).toEqual(sums);
    expect(want.get(`openai_compatible chat ${REASONING_MODEL}`)?.reasoning).toBeGreaterThan(0);
    expect(want.get('openai_compatible chat gpt-4o-mini')?.cached).toBeGreaterThan(0);
    // Anthropic: the service's system prompt is marked for the cache, written once, then read.
    expect(want.get(`anthropic chat ${ANTHROPIC_MODEL}`)?.cacheWrite).toBeGreaterThan(0);
    expect(want.get(`anthropic chat ${ANTHROPIC_MODEL}`)?.cached).toBeGreaterThan(0);
  });

  it('carries the cost of each priced call (tokens x price file), 0 for the local model', () => {
    const prices = priceFile();
    let total = 0;
    for (const e of entries.filter((x) => x['error.type'] === undefined)) {
      const cost = Number(e['llm.cost.usd'] ?? Number.NaN);
      if (e['gen_ai.provider.name'] === 'ollama') expect(cost || 0, JSON.stringify(e)).toBe(0);
      else expect(cost, JSON.stringify(e)).toBeCloseTo(recordCost(e, prices), 12);
      total += cost || 0;
    }
    // And together, what llm_cost_usd_total computed from the ledger.
    const want = [...expectedCost().values()].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(want, 10);
  });

  it("answers the demo's LogsQL query for the calls of one model, with the fields that find a call", async () => {
    const found = await logsQuery(logStore.url, callsOfModelQuery(SERVICE, REASONING_MODEL, '1h'));
    expect(found).toHaveLength(entries.filter((e) => e['gen_ai.request.model'] === REASONING_MODEL).length);
    for (const row of found) {
      expect(Object.keys(row).sort()).toEqual(
        [
          '_time',
          'trace_id',
          'gen_ai.operation.name',
          'gen_ai.usage.input_tokens',
          'gen_ai.usage.output_tokens',
          'llm.cost.usd',
          'error.type',
        ]
          .filter((k) => row[k] !== undefined)
          .sort(),
      );
      expect(row._time).toBeDefined();
    }
    expect(found.filter((row) => row['error.type'] === undefined).every((row) => Number(row['llm.cost.usd']) > 0)).toBe(
      true,
    );
  });

  it('carries no prompt or completion text (content capture is off by default)', () => {
    expect(asked.answers.size).toBeGreaterThan(10);
    for (const e of entries) {
      const text = JSON.stringify(e);
      expect(text).not.toContain(PROMPT);
      expect(text).not.toContain('release notes');
      for (const answer of asked.answers) if (answer.length >= 16) expect(text).not.toContain(answer.slice(0, 16));
      expect(Object.keys(e).filter((k) => k.includes('message') || k.includes('content'))).toEqual([]);
      // No body: VictoriaLogs shows its placeholder.
      expect(e._msg).toMatch(/^missing _msg field/);
    }
  });
});

describe('app -> collector -> Jaeger: one GenAI client span per LLM call', () => {
  let traces: JaegerTrace[];

  it('stores exactly one span per call, each a trace of its own', async () => {
    const n = entries.length;
    expect(n).toBe(asked.calls);
    traces = await eventually(`${n} traces in Jaeger`, 30_000, async () => {
      const found = await jaegerTraces(jaeger.url, SERVICE);
      return found.length >= n ? found : undefined;
    });
    expect(traces).toHaveLength(n);
    expect(traces.flatMap((t) => t.spans)).toHaveLength(n);
  }, 60_000);

  it("resolves every log record's trace id to its span, with the same GenAI attributes", () => {
    const byTrace = new Map(traces.map((t) => [t.traceID, t]));
    for (const e of entries) {
      const span = byTrace.get(e.trace_id ?? '')?.spans[0];
      if (span === undefined) throw new Error(`no span in Jaeger for the record ${JSON.stringify(e)}`);
      expect(span.spanID).toBe(e.span_id);
      expect(span.operationName).toBe(`${e['gen_ai.operation.name']} ${e['gen_ai.request.model']}`);
      expect(tag(span, 'span.kind')).toBe('client');
      for (const key of [
        'gen_ai.provider.name',
        'gen_ai.operation.name',
        'gen_ai.request.model',
        'gen_ai.response.model',
        'server.address',
        'error.type',
      ])
        expect(tag(span, key), `${key} of ${span.operationName}`).toBe(e[key]);
      for (const key of ['gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'server.port']) {
        const value = tag(span, key);
        expect(value === undefined ? undefined : String(value), `${key} of ${span.operationName}`).toBe(e[key]);
      }
      // A failed call's span has the error status; a successful one has none.
      expect(tag(span, 'otel.status_code'), JSON.stringify(span.tags)).toBe(e['error.type'] ? 'ERROR' : undefined);
    }
  });

  it("finds a call by the README's queries: its trace by id, the calls of a model by span name and tag", async () => {
    const record = entries.find((e) => e['error.type'] === undefined && e['gen_ai.request.model'] === REASONING_MODEL);
    const trace = await jaegerTrace(jaeger.url, record?.trace_id ?? 'missing');
    expect(trace?.spans.map((s) => s.spanID)).toEqual([record?.span_id]);
    const byModel = await jaegerTraces(jaeger.url, SERVICE, {
      operation: `chat ${REASONING_MODEL}`,
      tags: { 'gen_ai.request.model': REASONING_MODEL },
    });
    const chats = entries.filter(
      (e) => e['gen_ai.request.model'] === REASONING_MODEL && e['gen_ai.operation.name'] === 'chat',
    );
    expect(chats.length).toBeGreaterThan(0);
    expect(byModel).toHaveLength(chats.length);
    // The search demo:stack prints (find-a-call.ts), fetched as a person would with curl: at most 20.
    const printed = await fetch(jaegerSearchUrl(jaeger.url, SERVICE, 'chat', REASONING_MODEL, '1h'));
    const newest = ((await printed.json()) as { data: JaegerTrace[] }).data;
    expect(newest).toHaveLength(Math.min(20, chats.length));
    for (const t of newest) expect(t.spans[0]?.operationName).toBe(`chat ${REASONING_MODEL}`);
  });
});

describe('app -> collector -> Prometheus', () => {
  it('delivers every llm_* metric with the expected labels', async () => {
    await eventually('the calls to reach Prometheus', 30_000, async () => {
      const direct = await directSum('llm_inference_latency_seconds_count');
      const stored = await promSum(`llm_inference_latency_seconds_count{job="${SERVICE}"}`);
      return direct > 0 && stored === direct ? stored : undefined;
    });
    for (const name of SERIES) {
      const result = await query(prometheusUrl, `${name}{job="${SERVICE}"}`);
      expect(result.length, name).toBeGreaterThan(0);
      expect(result[0]?.metric.service_name, name).toBe(SERVICE);
      expect(result[0]?.metric.instance, name).toMatch(/^[0-9a-f-]{36}$/);
    }
    const latency = await query(
      prometheusUrl,
      `llm_inference_latency_seconds_count{job="${SERVICE}", gen_ai_operation_name="chat", gen_ai_provider_name="ollama"}`,
    );
    expect(latency[0]?.metric).toMatchObject({ gen_ai_request_model: 'mistral', server_address: '127.0.0.1' });
    const tokenTypes = await query(
      prometheusUrl,
      `count by (gen_ai_token_type) (llm_request_token_count_count{job="${SERVICE}"})`,
    );
    expect(tokenTypes.map((s) => s.metric.gen_ai_token_type).sort()).toEqual(['input', 'output']);
  });

  it('stores the values the app recorded, and the tokens the model sent', async () => {
    for (const op of ['chat', 'text_completion', 'embeddings', 'generate_content']) {
      const direct = await directSum('llm_inference_latency_seconds_count', { gen_ai_operation_name: op });
      expect(
        await promSum(`llm_inference_latency_seconds_count{job="${SERVICE}", gen_ai_operation_name="${op}"}`),
        op,
      ).toBe(direct);
    }
    expect(await promSum(`llm_error_rate_total{job="${SERVICE}"}`)).toBe(await directSum('llm_error_rate_total'));
    const failures = Object.values(simulator.totals().failures).reduce((a, b) => a + b, 0);
    expect(await promSum(`llm_error_rate_total{job="${SERVICE}"}`)).toBe(failures);
    expect(await promSum(`llm_error_rate_total{job="${SERVICE}", error_type="rate_limit"}`)).toBe(
      simulator.totals().failures['429'] ?? 0,
    );
    // Every output token the simulator streamed or returned is on the generation counter.
    expect(await promSum(`llm_token_generation_rate_total{job="${SERVICE}"}`)).toBe(
      simulator.totals().completionTokens,
    );
    expect(
      await promSum(`llm_model_version{job="${SERVICE}", llm_model_name="mistral", llm_model_version="v1.0.0"}`),
    ).toBe(1);
    expect(await promSum(`llm_model_up{job="${SERVICE}"}`)).toBeGreaterThanOrEqual(1);
  });

  it('prices every token the model sent: llm_cost_usd_total through the collector = tokens x price', async () => {
    const stored = await query(
      prometheusUrl,
      `sum by (gen_ai_provider_name, gen_ai_request_model, gen_ai_token_type) (llm_cost_usd_total{job="${SERVICE}", gen_ai_provider_name=~"openai_compatible|anthropic"})`,
    );
    const got = new Map(
      stored.map((s) => [
        `${s.metric.gen_ai_provider_name} ${s.metric.gen_ai_request_model} ${s.metric.gen_ai_token_type}`,
        Number(s.value[1]),
      ]),
    );
    const want = expectedCost();
    // Every token type the model reported has its series; one the model never reported may have none.
    for (const key of new Set([...want.keys(), ...got.keys()]))
      expect(got.get(key) ?? 0, key).toBeCloseTo(want.get(key) ?? 0, 10);
    for (const key of [
      'openai_compatible gpt-4o-mini input',
      'openai_compatible gpt-4o-mini cached_input',
      'openai_compatible gpt-4o-mini output',
      `openai_compatible ${REASONING_MODEL} reasoning`,
      `anthropic ${ANTHROPIC_MODEL} input`,
      `anthropic ${ANTHROPIC_MODEL} cached_input`,
      `anthropic ${ANTHROPIC_MODEL} cache_creation_input`,
      `anthropic ${ANTHROPIC_MODEL} output`,
    ])
      expect(want.get(key), key).toBeGreaterThan(0);
    // The local Ollama model costs 0, and its series say so.
    const ollama = await query(prometheusUrl, `llm_cost_usd_total{job="${SERVICE}", gen_ai_provider_name="ollama"}`);
    expect(ollama.length).toBeGreaterThan(0);
    expect(ollama.map((s) => Number(s.value[1]))).toEqual(ollama.map(() => 0));
    // The token detail: the cached, cache-write and reasoning tokens the model reported, no more.
    const totals = simulator.totals();
    expect(await promSum(`llm_token_usage_detail_total{job="${SERVICE}", gen_ai_token_type="cached_input"}`)).toBe(
      totals.cachedTokens,
    );
    expect(
      await promSum(`llm_token_usage_detail_total{job="${SERVICE}", gen_ai_token_type="cache_creation_input"}`),
    ).toBe(totals.cacheWriteTokens);
    expect(await promSum(`llm_token_usage_detail_total{job="${SERVICE}", gen_ai_token_type="reasoning"}`)).toBe(
      totals.reasoningTokens,
    );
    // Per provider too: Anthropic's cache reads are its own, not OpenAI's.
    const anthropicLedger = [...simulator.ledger].filter(([key]) => key.startsWith('/v1/messages ')).map(([, l]) => l);
    expect(
      await promSum(
        `llm_token_usage_detail_total{job="${SERVICE}", gen_ai_provider_name="anthropic", gen_ai_token_type="cached_input"}`,
      ),
    ).toBe(anthropicLedger.reduce((sum, l) => sum + l.cachedTokens, 0));
    expect(await promSum(`llm_cost_unpriced_calls_total{job="${SERVICE}"}`)).toBe(0);
  });

  it('exports the rate-limit headroom of the latest response under exactly its names and labels', async () => {
    const names = (await metricNames(prometheusUrl)).filter((n) => n.startsWith('llm_rate_limit'));
    expect(names.sort()).toEqual(['llm_rate_limit_limit', 'llm_rate_limit_remaining', 'llm_rate_limit_reset_seconds']);
    const { requestsPerMinute, tokensPerMinute } = simulator.profile;
    // The simulator's windows: OpenAI's two kinds; Anthropic's four, with fewer output than input
    // tokens a minute, and `tokens` the one of those two with less room (either limit).
    const limits: Record<string, Record<string, number[]>> = {
      openai_compatible: { requests: [requestsPerMinute], tokens: [tokensPerMinute] },
      anthropic: {
        requests: [requestsPerMinute],
        tokens: [tokensPerMinute, Math.floor(tokensPerMinute / 5)],
        input_tokens: [tokensPerMinute],
        output_tokens: [Math.floor(tokensPerMinute / 5)],
      },
    };
    for (const name of names) {
      const series = await query(prometheusUrl, `${name}{job="${SERVICE}"}`);
      const kinds = series.map((s) => `${s.metric.gen_ai_provider_name} ${s.metric.llm_rate_limit_kind}`).sort();
      expect(kinds, name).toEqual(
        Object.entries(limits)
          .flatMap(([provider, byKind]) => Object.keys(byKind).map((kind) => `${provider} ${kind}`))
          .sort(),
      );
      for (const s of series) {
        expect(s.metric, name).toMatchObject({ server_address: '127.0.0.1', service_name: SERVICE });
        const provider = s.metric.gen_ai_provider_name as string;
        const kind = s.metric.llm_rate_limit_kind as string;
        const allowed = limits[provider]?.[kind] ?? [];
        const value = Number(s.value[1]);
        if (name === 'llm_rate_limit_limit') expect(allowed, `${provider} ${kind}`).toContain(value);
        if (name === 'llm_rate_limit_remaining') expect(value, kind).toBeLessThanOrEqual(Math.max(...allowed));
        // Anthropic's reset is a time to the second (rounded up): up to a second past the window.
        if (name === 'llm_rate_limit_reset_seconds') expect(value, kind).toBeLessThanOrEqual(61);
        expect(value, `${name} ${provider} ${kind}`).toBeGreaterThanOrEqual(0);
      }
    }
    // Ollama sends no rate-limit headers: no series.
    expect(await query(prometheusUrl, `{__name__=~"llm_rate_limit_.+", gen_ai_provider_name="ollama"}`)).toEqual([]);
    // No label of any llm_* series carries the API key.
    const withKey = await query(prometheusUrl, `{__name__=~"llm_.+", job="${SERVICE}"}`);
    expect(withKey.filter((s) => Object.values(s.metric).some((v) => v.includes('sk-simulator')))).toEqual([]);
  });

  it('gives identical llm_* metric names on the direct /metrics endpoint and through the collector', async () => {
    const text = await (await fetch(directUrl)).text();
    const direct = new Set(
      text
        .split('\n')
        .filter((l) => l.startsWith('llm_'))
        .map((l) => l.slice(0, l.search(/[{ ]/))),
    );
    const stored = new Set((await metricNames(prometheusUrl)).filter((n) => n.startsWith('llm_')));
    expect([...stored].sort()).toEqual([...direct].sort());
    expect(direct.size).toBeGreaterThanOrEqual(SERIES.length);
  });

  it('shows a re-deploy: the new version is 1 and the replaced one 0, directly and through the collector', async () => {
    const deploy = await fetch(`${appUrl}/api/v1/models`, {
      method: 'POST',
      body: JSON.stringify({ modelName: 'mistral', version: 'v1.1.0', modelHash: 'sha256:77aa01fe' }),
    });
    expect(deploy.status).toBe(201);
    const versions = (await (await fetch(`${appUrl}/api/v1/models/version/mistral`)).json()) as { version: string };
    expect(versions.version).toBe('v1.1.0');
    // The app's own endpoint, at once.
    expect(await directSum('llm_model_version', { llm_model_name: 'mistral', llm_model_version: 'v1.1.0' })).toBe(1);
    expect(await directSum('llm_model_version', { llm_model_name: 'mistral', llm_model_version: 'v1.0.0' })).toBe(0);
    // Through the collector, with the next export: never two versions at 1.
    const deployed = await eventually('v1.1.0 to reach Prometheus', 20_000, async () => {
      const r = await query(prometheusUrl, `llm_model_version{job="${SERVICE}", llm_model_name="mistral"} == 1`);
      return r.length === 1 && r[0]?.metric.llm_model_version === 'v1.1.0' ? r : undefined;
    });
    expect(deployed).toHaveLength(1);
    const old = await query(
      prometheusUrl,
      `llm_model_version{job="${SERVICE}", llm_model_name="mistral", llm_model_version="v1.0.0"}`,
    );
    expect(old.map((x) => Number(x.value[1]))).toEqual([0]);
  });

  it('answers every PromQL query of the Grafana dashboard with at least one series', async () => {
    // Rates need growing counters inside the window: a few more spaced rounds, then wait for the
    // recording rules (evaluated every second here) to produce a P95.
    await driveAll(4);
    await eventually('the recording rules to produce a P95', 30_000, async () =>
      (await query(prometheusUrl, 'job_provider_model:llm_inference_latency_seconds:p95_5m')).length > 0
        ? true
        : undefined,
    );
    const queries = dashboardQueries({ service_name: [SERVICE], provider: 'All', model: 'All', rateInterval: '1m' });
    expect(queries.length).toBeGreaterThan(15);
    const empty: string[] = [];
    for (const q of queries) {
      const result = await query(prometheusUrl, q.expr); // throws when Prometheus cannot parse it
      // The A/B gauges exist only in a service that defines an experiment (this one does not): parsed, may be empty.
      if (result.length === 0 && !q.requires.includes('ab')) empty.push(`${q.title} [${q.refId}]: ${q.expr}`);
    }
    expect(empty).toEqual([]);

    // The provider variable lists every provider the service called, Anthropic included, and with
    // only anthropic selected the model variable lists Claude and the call panels show its calls.
    const anthropic = dashboardQueries({
      service_name: [SERVICE],
      provider: ['anthropic'],
      model: 'All',
      rateInterval: '1m',
    });
    const variable = async (name: string, label: string) =>
      (await query(prometheusUrl, anthropic.find((q) => q.source === 'variable' && q.title === name)?.expr ?? ''))
        .map((s) => s.metric[label])
        .sort();
    expect(await variable('provider', 'gen_ai_provider_name')).toEqual(['anthropic', 'ollama', 'openai_compatible']);
    expect(await variable('model', 'gen_ai_request_model')).toEqual([ANTHROPIC_MODEL]);
    // Panels that may rightly be empty for one provider: failures (none of a kind) and scores the app
    // records per model and task without a provider. Endpoint health is checked: the health probe
    // watches the Anthropic client's endpoint too.
    const notPerProvider = ['llm_error_rate_total', 'llm_response_quality_score'];
    const byProvider = anthropic.filter(
      (q) =>
        q.source === 'panel' &&
        /\$\{?provider\b/.test(q.template) &&
        !notPerProvider.some((metric) => q.template.includes(metric)),
    );
    expect(byProvider.length).toBeGreaterThan(5);
    const emptyForAnthropic: string[] = [];
    for (const q of byProvider) {
      const result = await query(prometheusUrl, q.expr);
      if (result.length === 0) emptyForAnthropic.push(`${q.title} [${q.refId}]: ${q.expr}`);
      for (const series of result)
        if (series.metric.gen_ai_provider_name !== undefined)
          expect(series.metric.gen_ai_provider_name, q.title).toBe('anthropic');
    }
    expect(emptyForAnthropic).toEqual([]);
    // What `pnpm demo:stack` prints from the same Prometheus.
    expect(await spendAndHeadroom(prometheusUrl, SERVICE)).toMatch(
      /^spend \$0\.\d{4} \(.*gpt-4o-mini \$.*\) {2}headroom input_tokens \d+\.\d%, output_tokens \d+\.\d%, requests \d+\.\d%, tokens \d+\.\d%$/,
    );
  }, 90_000);

  it('renders the dashboard picture from this data in headless Chromium', async () => {
    const out = join(workDir, 'dashboard.png');
    const render = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'grafana', 'dist', 'render.js'),
        '--prometheus',
        prometheusUrl,
        '--from',
        '-3m',
        '--to',
        'now',
        '--out',
        out,
        '--service',
        SERVICE,
        '--rate-interval',
        '1m',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(render.status, `${render.stdout}\n${render.stderr}`).toBe(0);
    const png = readFileSync(out);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(50_000);
  }, 90_000);

  it('delivers over OTLP/gRPC too', async () => {
    const [appPort, directPort] = await freePorts(2);
    const grpcService = `${SERVICE}-grpc`;
    const grpcApp = await startLlmService({
      repoRoot,
      logDir: join(workDir, 'grpc'),
      serviceName: grpcService,
      port: appPort as number,
      directMetricsPort: directPort as number,
      otlpPort: collectorPorts.grpc,
      protocol: 'grpc',
      modelUrl: simulatorUrl,
      exportIntervalMs: 1000,
    });
    try {
      for (const operation of ['openai.chat', 'ollama.chat.stream']) {
        await fetch(`${grpcApp.url}/ask`, { method: 'POST', body: JSON.stringify({ operation }) }).then((r) =>
          r.json(),
        );
      }
      const stored = await eventually('the gRPC-pushed calls to reach Prometheus', 20_000, async () => {
        const n = await promSum(`llm_inference_latency_seconds_count{job="${grpcService}"}`);
        return n >= 2 ? n : undefined;
      });
      expect(stored).toBe(2);
    } finally {
      await grpcApp.service.stop();
    }
  }, 60_000);

  it('turns injected slow calls into a pending HighLLMLatency alert', async () => {
    simulator.extraDelayMs = 6000;
    try {
      await Promise.all(
        Array.from({ length: 4 }, () => Promise.all(['openai.chat', 'ollama.chat'].map((op) => ask(op)))),
      );
    } finally {
      simulator.extraDelayMs = 0;
    }
    const alert = await eventually('HighLLMLatency to be pending', 30_000, async () =>
      (await alerts(prometheusUrl)).find((a) => a.labels.alertname === 'HighLLMLatency'),
    );
    expect(['pending', 'firing']).toContain(alert.state);
  }, 60_000);

  it('turns a nearly used-up rate-limit window into a pending LLMRateLimitNearlyExhausted alert', async () => {
    // A small request window for a moment: the service's calls use it up, the headers say so.
    simulator.setRateLimits({ requestsPerMinute: 20, tokensPerMinute: simulator.profile.tokensPerMinute });
    try {
      for (let i = 0; i < 3; i++) await Promise.all(Array.from({ length: 8 }, () => ask('openai.chat')));
      const alert = await eventually('LLMRateLimitNearlyExhausted to be pending', 30_000, async () =>
        (await alerts(prometheusUrl)).find(
          (a) => a.labels.alertname === 'LLMRateLimitNearlyExhausted' && a.labels.job === SERVICE,
        ),
      );
      expect(['pending', 'firing']).toContain(alert.state);
      expect(alert.labels).toMatchObject({
        gen_ai_provider_name: 'openai_compatible',
        llm_rate_limit_kind: 'requests',
      });
    } finally {
      simulator.setRateLimits({
        requestsPerMinute: simulator.profile.requestsPerMinute,
        tokensPerMinute: simulator.profile.tokensPerMinute,
      });
    }
    // Far below the default budget of 10 USD per hour: the budget alert stays quiet.
    expect((await alerts(prometheusUrl)).filter((a) => a.labels.alertname === 'LLMCostBudgetExceeded')).toEqual([]);
  }, 60_000);

  it('keeps serving with bounded memory while the collector is down, and delivers again when it is back', async () => {
    await collector.stop();
    const before = (await (await fetch(`${appUrl}/debug/memory`)).json()) as { rss: number; heapUsed: number };
    // The app answers every request: 200, or 502 only for the model's own (simulated) failures.
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const round = await Promise.all(
        OPERATIONS.map(async (operation) => {
          const r = await fetch(`${appUrl}/ask`, { method: 'POST', body: JSON.stringify({ operation }) });
          const body = (await r.json()) as { upstreamStatus?: number | null };
          return r.status === 502 && (body.upstreamStatus === 429 || body.upstreamStatus === 500) ? 200 : r.status;
        }),
      );
      statuses.push(...round);
    }
    expect(new Set(statuses)).toEqual(new Set([200]));
    const healthy = await fetch(`${appUrl}/healthz`);
    expect(healthy.status).toBe(200);
    const after = (await (await fetch(`${appUrl}/debug/memory`)).json()) as { rss: number; heapUsed: number };
    // Cumulative export: a failed export is dropped, nothing queues up while the collector is away.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(30 * 1024 * 1024);

    const directNow = await directSum('llm_inference_latency_seconds_count');
    collector = await startCollector(repoRoot, collectorPorts, workDir, collectorEnv);
    await eventually('the calls made during the outage to reach Prometheus', 30_000, async () =>
      (await promSum(`llm_inference_latency_seconds_count{job="${SERVICE}"}`)) >= directNow ? true : undefined,
    );
  }, 90_000);
});
