// Canned llm_* metrics shaped like what the llm-otel SDK exports through the collector
// (job / instance / service_name labels, underscore attribute labels), from a deterministic
// simulation. Used to test the dashboard's queries against a real Prometheus and to render the
// README picture without a live pipeline.
//
//   node grafana/test/canned-metrics.mjs serve [port]
//       /metrics in the Prometheus text format, simulated from the server's start until now.
//   node grafana/test/canned-metrics.mjs openmetrics <out-file> [hours=7] [stepSeconds=30]
//       history ending now, for `promtool tsdb create-blocks-from openmetrics <out-file> <dir>`.

import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const LATENCY_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 7, 8, 10, 12, 15, 20, 30, 60, 120, 300,
];
const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

export const SERVICE = { job: 'chat-api', instance: 'chat-api-7f9c', service_name: 'chat-api' };

/**
 * Simulated models: requests per second, latency median, error share, tokens (median per call),
 * the shares of input tokens read from (`cached`) and written to (`cacheCreation`) the prompt
 * cache, the share of output tokens spent on reasoning, and US dollars per million tokens by
 * token type (`prices`; reasoning is billed as output; `null`: a model without a price, whose
 * calls count in llm_cost_unpriced_calls_total).
 */
export const MODELS = [
  {
    provider: 'openai',
    model: 'gpt-4o-mini',
    response: 'gpt-4o-mini-2024-07-18',
    server: 'api.openai.com',
    rps: 1.2,
    latency: 0.9,
    ttft: 0.25,
    errors: 0.015,
    input: 700,
    output: 220,
    cached: 0.3,
    prices: { input: 0.15, cached_input: 0.075, output: 0.6 },
  },
  {
    provider: 'openai',
    model: 'gpt-4o',
    response: 'gpt-4o-2024-08-06',
    server: 'api.openai.com',
    rps: 0.5,
    latency: 1.8,
    ttft: 0.45,
    errors: 0.02,
    input: 1400,
    output: 380,
    cached: 0.2,
    prices: { input: 2.5, cached_input: 1.25, output: 10 },
  },
  {
    provider: 'anthropic',
    model: 'claude-sonnet-4',
    response: 'claude-sonnet-4-20250514',
    server: 'api.anthropic.com',
    rps: 0.35,
    latency: 2.4,
    ttft: 0.6,
    errors: 0.025,
    input: 1800,
    output: 450,
    cached: 0.5,
    cacheCreation: 0.05,
    prices: { input: 3, cached_input: 0.3, cache_creation_input: 3.75, output: 15 },
    drifts: true,
  },
  {
    provider: 'openai',
    model: 'o4-mini',
    response: 'o4-mini-2025-04-16',
    server: 'api.openai.com',
    rps: 0.15,
    latency: 2.2,
    ttft: 1.2,
    errors: 0.02,
    input: 900,
    output: 1200,
    cached: 0.1,
    reasoning: 0.6,
    prices: { input: 1.1, cached_input: 0.275, output: 4.4 },
  },
  {
    provider: 'openai',
    model: 'ft:gpt-4o-mini-2024-07-18:acme::support',
    response: 'ft:gpt-4o-mini-2024-07-18:acme::support',
    server: 'api.openai.com',
    rps: 0.05,
    latency: 0.8,
    ttft: 0.25,
    errors: 0.01,
    input: 500,
    output: 150,
    prices: null,
  },
];

/** Mean tokens per call of a log-normal with this median (sigma 0.5, as in the token histograms). */
const MEAN_PER_MEDIAN = Math.exp(0.5 * 0.5 * 0.5);

/**
 * Rate-limit windows per provider and server: the limit, and the headroom (remaining / limit)
 * that live mode reports. History mode adds a slow wave and, for anthropic output tokens, a
 * squeeze below 10 % from 70 % to 78 % of the span (LLMRateLimitNearlyExhausted), with extra 429s.
 */
export const RATE_LIMITS = [
  { provider: 'openai', server: 'api.openai.com', kind: 'requests', limit: 500, headroom: 0.72 },
  { provider: 'openai', server: 'api.openai.com', kind: 'tokens', limit: 400_000, headroom: 0.45 },
  { provider: 'anthropic', server: 'api.anthropic.com', kind: 'requests', limit: 1000, headroom: 0.9 },
  { provider: 'anthropic', server: 'api.anthropic.com', kind: 'input_tokens', limit: 400_000, headroom: 0.6 },
  { provider: 'anthropic', server: 'api.anthropic.com', kind: 'output_tokens', limit: 80_000, headroom: 0.35 },
];
const SQUEEZED = 'anthropic/output_tokens';

/**
 * Per call of model `m` (at input median `inputMedian`): tokens by gen_ai_token_type of
 * llm_token_usage_detail_total, and US dollars by gen_ai_token_type of llm_cost_usd_total (the
 * types partition the call: input is the uncached part, output the non-reasoning part).
 */
export function perCall(m, inputMedian = m.input) {
  const input = inputMedian * MEAN_PER_MEDIAN;
  const output = m.output * MEAN_PER_MEDIAN;
  const cached = input * (m.cached ?? 0);
  const creation = input * (m.cacheCreation ?? 0);
  const reasoning = output * (m.reasoning ?? 0);
  const detail = { cached_input: cached, cache_creation_input: creation, reasoning };
  const cost = {};
  if (m.prices) {
    const tokens = { input: input - cached - creation, cached_input: cached, cache_creation_input: creation };
    tokens.output = output - reasoning;
    tokens.reasoning = reasoning;
    for (const [type, n] of Object.entries(tokens)) {
      if (n <= 0) continue;
      const price = type === 'reasoning' ? m.prices.output : m.prices[type];
      cost[type] = (n * price) / 1e6;
    }
  }
  return { detail, cost };
}
const ERROR_TYPES = [
  ['rate_limit', 0.5],
  ['timeout', 0.3],
  ['server_error', 0.2],
];

// Abramowitz-Stegun 7.1.26: |error| < 1.5e-7, plenty for bucket shares.
function erf(x) {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
/** P(X <= x) for a log-normal with the given median and log-sd. */
function lognormalCdf(x, median, sigma) {
  if (x <= 0) return 0;
  return 0.5 * (1 + erf(Math.log(x / median) / (sigma * Math.SQRT2)));
}

/**
 * The simulation: cumulative counters and histograms advanced in fixed ticks, so the same
 * timeline comes out whether it is scraped live or written as history.
 * Phases (fractions of the simulated span, when `span` is given): the anthropic model's latency
 * rises by 3 s from 65 % (LLMModelDrift), a new model version is deployed at 40 %, and the
 * anthropic endpoint is down from 80 % to 85 %.
 */
export class Simulation {
  /** @param {number} startMs @param {number} [spanMs] */
  constructor(startMs, spanMs = 0) {
    this.startMs = startMs;
    this.spanMs = spanMs;
    this.nowMs = startMs;
    this.tickMs = 5000;
    this.state = MODELS.map(() => ({
      count: 0,
      sum: 0,
      buckets: LATENCY_BUCKETS.map(() => 0),
      ttftCount: 0,
      ttftSum: 0,
      ttftBuckets: TTFT_BUCKETS.map(() => 0),
      tokensOut: 0,
      tokenCount: { input: 0, output: 0 },
      tokenSum: { input: 0, output: 0 },
      tokenBuckets: { input: TOKEN_BUCKETS.map(() => 0), output: TOKEN_BUCKETS.map(() => 0) },
      errors: Object.fromEntries(ERROR_TYPES.map(([t]) => [t, 0])),
      detail: { cached_input: 0, cache_creation_input: 0, reasoning: 0 },
      cost: {},
      unpriced: 0,
    }));
  }

  /** 0..1 position in the simulated span (live mode: 0). */
  phase(tMs) {
    return this.spanMs > 0 ? (tMs - this.startMs) / this.spanMs : 0;
  }

  advanceTo(tMs) {
    while (this.nowMs + this.tickMs <= tMs) {
      this.nowMs += this.tickMs;
      this.tick(this.nowMs, this.tickMs / 1000);
    }
  }

  tick(tMs, dt) {
    const hours = (tMs - this.startMs) / 3_600_000;
    const p = this.phase(tMs);
    MODELS.forEach((m, i) => {
      const s = this.state[i];
      // Traffic: daily-ish wave plus a faster ripple; never below 40 % of the base rate.
      const load = 1 + 0.45 * Math.sin(hours * 1.3 + i) + 0.15 * Math.sin(hours * 9 + 2 * i);
      const n = m.rps * load * dt;
      const drift = m.drifts && p >= 0.65 ? 3 : 0;
      const median = m.latency * (0.9 + 0.25 * load) + drift;
      const sigma = 0.35;
      s.count += n;
      s.sum += n * median * Math.exp((sigma * sigma) / 2);
      LATENCY_BUCKETS.forEach((le, b) => {
        s.buckets[b] += n * lognormalCdf(le, median, sigma);
      });
      const ttftMedian = m.ttft * (0.8 + 0.3 * load);
      s.ttftCount += n;
      s.ttftSum += n * ttftMedian * Math.exp(0.08);
      TTFT_BUCKETS.forEach((le, b) => {
        s.ttftBuckets[b] += n * lognormalCdf(le, ttftMedian, 0.4);
      });
      for (const [type, median0] of [
        ['input', m.input * (1 + 0.1 * Math.sin(hours))],
        ['output', m.output],
      ]) {
        s.tokenCount[type] += n;
        s.tokenSum[type] += n * median0 * Math.exp(0.5 * 0.5 * 0.5);
        TOKEN_BUCKETS.forEach((le, b) => {
          s.tokenBuckets[type][b] += n * lognormalCdf(le, median0, 0.5);
        });
      }
      s.tokensOut += n * m.output * Math.exp(0.125);
      const call = perCall(m, m.input * (1 + 0.1 * Math.sin(hours)));
      for (const [type, tokens] of Object.entries(call.detail)) s.detail[type] += n * tokens;
      for (const [type, usd] of Object.entries(call.cost)) s.cost[type] = (s.cost[type] ?? 0) + n * usd;
      if (!m.prices) s.unpriced += n;
      const burst = p > 0.3 && p < 0.34 ? 6 : 1;
      const errors = n * m.errors * burst * (1 + 0.5 * Math.sin(hours * 5 + i));
      for (const [type, share] of ERROR_TYPES) s.errors[type] += errors * share;
      // The squeezed anthropic window answers some calls with 429.
      if (m.provider === 'anthropic' && this.squeezed(p)) s.errors.rate_limit += n * 0.08;
    });
  }

  /** Whether the anthropic output-token window is nearly used up at phase p. */
  squeezed(p) {
    return p >= 0.7 && p < 0.78;
  }

  /** remaining / limit of a rate-limit window at time t (live mode: its `headroom`). */
  headroom(w, tMs) {
    if (this.spanMs === 0) return w.headroom;
    const p = this.phase(tMs);
    if (`${w.provider}/${w.kind}` === SQUEEZED && this.squeezed(p)) return 0.04;
    const hours = (tMs - this.startMs) / 3_600_000;
    return Math.min(1, Math.max(0, w.headroom + 0.15 * Math.sin(hours * 1.3 + w.limit)));
  }

  /** The model registry's version at time t. */
  modelVersion(tMs) {
    const deployedAt = this.startMs + (this.spanMs > 0 ? 0.4 * this.spanMs : 0);
    if (this.spanMs > 0 && tMs >= deployedAt) {
      return { version: 'v1.3.0', hash: '9e1f2a7c', deployedAtSeconds: Math.floor(deployedAt / 1000) };
    }
    return { version: 'v1.2.0', hash: '4b7d0c31', deployedAtSeconds: Math.floor(this.startMs / 1000) - 86_400 };
  }

  /**
   * All samples at the current simulation time as [series name, labels, value].
   * @returns {Array<[string, Record<string, string>, number]>}
   */
  samples() {
    const t = this.nowMs;
    const p = this.phase(t);
    const out = [];
    const push = (name, labels, value) => out.push([name, { ...SERVICE, ...labels }, value]);
    MODELS.forEach((m, i) => {
      const s = this.state[i];
      const call = {
        gen_ai_operation_name: 'chat',
        gen_ai_provider_name: m.provider,
        gen_ai_request_model: m.model,
        gen_ai_response_model: m.response,
        server_address: m.server,
        server_port: '443',
      };
      LATENCY_BUCKETS.forEach((le, b) => {
        push('llm_inference_latency_seconds_bucket', { ...call, le: String(le) }, s.buckets[b]);
      });
      push('llm_inference_latency_seconds_bucket', { ...call, le: '+Inf' }, s.count);
      push('llm_inference_latency_seconds_sum', call, s.sum);
      push('llm_inference_latency_seconds_count', call, s.count);
      TTFT_BUCKETS.forEach((le, b) => {
        push('llm_time_to_first_token_seconds_bucket', { ...call, le: String(le) }, s.ttftBuckets[b]);
      });
      push('llm_time_to_first_token_seconds_bucket', { ...call, le: '+Inf' }, s.ttftCount);
      push('llm_time_to_first_token_seconds_sum', call, s.ttftSum);
      push('llm_time_to_first_token_seconds_count', call, s.ttftCount);
      push('llm_token_generation_rate_total', call, s.tokensOut);
      for (const type of ['input', 'output']) {
        const labels = { ...call, gen_ai_token_type: type };
        TOKEN_BUCKETS.forEach((le, b) => {
          push('llm_request_token_count_bucket', { ...labels, le: String(le) }, s.tokenBuckets[type][b]);
        });
        push('llm_request_token_count_bucket', { ...labels, le: '+Inf' }, s.tokenCount[type]);
        push('llm_request_token_count_sum', labels, s.tokenSum[type]);
        push('llm_request_token_count_count', labels, s.tokenCount[type]);
      }
      for (const [type] of ERROR_TYPES) {
        push('llm_error_rate_total', { ...call, error_type: type }, s.errors[type]);
      }
      // Series exist once a call reported such tokens, as in the SDK.
      for (const [type, tokens] of Object.entries(s.detail)) {
        if (tokens > 0) push('llm_token_usage_detail_total', { ...call, gen_ai_token_type: type }, tokens);
      }
      const priced = { gen_ai_provider_name: m.provider, gen_ai_request_model: m.model };
      for (const [type, usd] of Object.entries(s.cost)) {
        push('llm_cost_usd_total', { ...priced, gen_ai_token_type: type }, usd);
      }
      if (!m.prices && s.unpriced > 0) {
        push('llm_cost_unpriced_calls_total', { ...priced, gen_ai_response_model: m.response }, s.unpriced);
      }
      const hours = (t - this.startMs) / 3_600_000;
      const quality = 0.86 - 0.04 * i + 0.03 * Math.sin(hours * 2 + i) - (m.drifts && p >= 0.65 ? 0.12 : 0);
      push(
        'llm_response_quality_score',
        { gen_ai_provider_name: m.provider, gen_ai_request_model: m.model, llm_task: 'summarization' },
        Math.round(quality * 1000) / 1000,
      );
      const drifting = m.drifts && p >= 0.65;
      const drift = { gen_ai_request_model: m.model, llm_drift_metric: 'latency' };
      push('llm_drift_ks_statistic', drift, drifting ? 0.42 : 0.05 + 0.02 * i);
      push('llm_drift_psi', drift, drifting ? 0.31 : 0.02 + 0.01 * i);
      push('llm_drift_p_value', drift, drifting ? 0.001 : 0.6 - 0.1 * i);
      push('llm_drift_detected', drift, drifting ? 1 : 0);
    });
    for (const server of [
      ['openai', 'api.openai.com'],
      ['anthropic', 'api.anthropic.com'],
    ]) {
      const down = server[0] === 'anthropic' && p >= 0.8 && p < 0.85;
      push(
        'llm_model_up',
        { gen_ai_provider_name: server[0], server_address: server[1], server_port: '443' },
        down ? 0 : 1,
      );
    }
    for (const w of RATE_LIMITS) {
      const labels = { gen_ai_provider_name: w.provider, server_address: w.server, llm_rate_limit_kind: w.kind };
      push('llm_rate_limit_limit', labels, w.limit);
      push('llm_rate_limit_remaining', labels, Math.round(w.limit * this.headroom(w, t)));
    }
    // A/B comparator gauges of one experiment: the candidate is slower (latency p-value small).
    const ab = { llm_experiment: 'model-swap', llm_variant: 'candidate' };
    for (const [metric, test, pValue, effect, difference] of [
      ['latency', 'mann_whitney', 0.002, 0.31, 0.4],
      ['latency', 'welch_t', 0.004, 0.52, 0.45],
      ['quality_score', 'welch_t', 0.41, -0.08, -0.01],
      ['quality_score', 'mann_whitney', 0.38, -0.05, -0.01],
      ['error_ratio', 'two_proportion_z', 0.27, 0.03, 0.004],
    ]) {
      const labels = { ...ab, llm_ab_metric: metric, llm_ab_test: test };
      push('llm_ab_p_value', labels, pValue);
      push('llm_ab_effect_size', labels, effect);
      push('llm_ab_difference', labels, difference);
    }
    for (const variant of ['baseline', 'candidate'])
      for (const metric of ['latency', 'quality_score', 'error_ratio'])
        push('llm_ab_samples', { llm_experiment: 'model-swap', llm_variant: variant, llm_ab_metric: metric }, 2000);
    const v = this.modelVersion(t);
    push(
      'llm_model_version',
      { llm_model_name: 'chat-model', llm_model_version: v.version, llm_model_hash: v.hash },
      1,
    );
    push(
      'llm_model_deployed_at_seconds',
      { llm_model_name: 'chat-model', llm_model_version: v.version },
      v.deployedAtSeconds,
    );
    return out;
  }
}

function labelText(labels) {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',');
}

/** Prometheus text exposition of the simulation at its current time. */
export function exposition(sim) {
  const lines = [];
  let last = '';
  for (const [name, labels, value] of sim.samples()) {
    if (name !== last) {
      lines.push(`# TYPE ${name} untyped`);
      last = name;
    }
    lines.push(`${name}{${labelText(labels)}} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Serves `/metrics` from a live simulation started now. Resolves to the listening server. */
export function serve(port = 0, host = '127.0.0.1') {
  const sim = new Simulation(Date.now());
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    sim.advanceTo(Date.now());
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(sim));
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

/**
 * Writes OpenMetrics history (every series grouped, timestamps in seconds) from `hours` ago until
 * now, one sample per `stepSeconds`, for promtool's backfill.
 */
export async function writeOpenMetrics(file, hours = 7, stepSeconds = 30) {
  const end = Math.floor(Date.now() / 1000 / stepSeconds) * stepSeconds * 1000;
  const start = end - hours * 3_600_000;
  const sim = new Simulation(start, end - start);
  /** @type {Map<string, string[]>} */
  const byName = new Map();
  for (let t = start + stepSeconds * 1000; t <= end; t += stepSeconds * 1000) {
    sim.advanceTo(t);
    for (const [name, labels, value] of sim.samples()) {
      let lines = byName.get(name);
      if (!lines) {
        lines = [];
        byName.set(name, lines);
      }
      lines.push(`${name}{${labelText(labels)}} ${value} ${t / 1000}`);
    }
  }
  const out = createWriteStream(file);
  for (const [name, lines] of byName) {
    // OpenMetrics wants each series' samples together and in time order.
    lines.sort((a, b) => {
      const ka = a.slice(0, a.lastIndexOf('} ') + 1);
      const kb = b.slice(0, b.lastIndexOf('} ') + 1);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    out.write(`# TYPE ${name} unknown\n${lines.join('\n')}\n`);
  }
  out.write('# EOF\n');
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  return { start, end };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'serve') {
    const server = await serve(Number(args[0] ?? 9464));
    console.log(`canned llm_* metrics on http://127.0.0.1:${server.address().port}/metrics`);
  } else if (cmd === 'openmetrics' && args[0]) {
    const { start, end } = await writeOpenMetrics(args[0], Number(args[1] ?? 7), Number(args[2] ?? 30));
    console.log(`wrote ${args[0]}: ${new Date(start).toISOString()} .. ${new Date(end).toISOString()}`);
  } else {
    console.error('usage: canned-metrics.mjs serve [port] | openmetrics <file> [hours] [stepSeconds]');
    process.exitCode = 2;
  }
}
