import { INSTRUMENTS } from '@llm-otel/core';

/**
 * The Prometheus series names the dashboard reads. Everything the SDK emits comes from the
 * instrument catalogue of `@llm-otel/core`, so a renamed instrument breaks this package's build
 * or tests instead of silently emptying a panel.
 */
export const METRIC = {
  latency: INSTRUMENTS.inferenceLatency.prometheusName,
  tokens: INSTRUMENTS.tokenGeneration.prometheusName,
  requestTokens: INSTRUMENTS.requestTokens.prometheusName,
  errors: INSTRUMENTS.errors.prometheusName,
  quality: INSTRUMENTS.qualityScore.prometheusName,
  modelVersion: INSTRUMENTS.modelVersion.prometheusName,
  modelDeployedAt: INSTRUMENTS.modelDeployedAt.prometheusName,
  timeToFirstToken: INSTRUMENTS.timeToFirstToken.prometheusName,
  modelUp: INSTRUMENTS.modelUp.prometheusName,
  // In-process drift detectors (labels llm_drift_metric, gen_ai_request_model).
  driftKs: INSTRUMENTS.driftKsStatistic.prometheusName,
  driftPsi: INSTRUMENTS.driftPsi.prometheusName,
  driftPValue: INSTRUMENTS.driftPValue.prometheusName,
  driftDetected: INSTRUMENTS.driftDetected.prometheusName,
  // Token detail, spend and rate-limit headroom (issue 11).
  tokenUsageDetail: INSTRUMENTS.tokenUsageDetail.prometheusName,
  cost: INSTRUMENTS.cost.prometheusName,
  unpricedCalls: INSTRUMENTS.unpricedCalls.prometheusName,
  rateLimitRemaining: INSTRUMENTS.rateLimitRemaining.prometheusName,
  rateLimitLimit: INSTRUMENTS.rateLimitLimit.prometheusName,
  // A/B comparisons of experiment arms (issue 14).
  abPValue: INSTRUMENTS.abPValue.prometheusName,
  abEffectSize: INSTRUMENTS.abEffectSize.prometheusName,
  abDifference: INSTRUMENTS.abDifference.prometheusName,
  abSamples: INSTRUMENTS.abSamples.prometheusName,
} as const;

/** Series written by the recording rules in `prometheus/rules/llm-recording.yml`. */
export const RECORDED = {
  p95: 'job_provider_model:llm_inference_latency_seconds:p95_5m',
  p95Baseline6h: 'job_provider_model:llm_inference_latency_seconds:p95_5m_avg_over_time_6h',
  /** US dollars a service spent over the last hour (LLMCostBudgetExceeded's left side). */
  spendLastHour: 'job:llm_cost_usd:increase1h',
  /** The hourly budget of each spending service, from `prometheus/rules/llm-budget.yml`. */
  budgetPerHour: 'job:llm_cost_budget_usd:per_hour',
} as const;

/** Prometheus label names (the underscore forms of the OpenTelemetry attributes). */
export const LABEL = {
  service: 'service_name',
  provider: 'gen_ai_provider_name',
  model: 'gen_ai_request_model',
  tokenType: 'gen_ai_token_type',
  errorType: 'error_type',
  serverAddress: 'server_address',
  task: 'llm_task',
  modelName: 'llm_model_name',
  modelVersion: 'llm_model_version',
  modelHash: 'llm_model_hash',
  driftMetric: 'llm_drift_metric',
  rateLimitKind: 'llm_rate_limit_kind',
  variant: 'llm_variant',
  experiment: 'llm_experiment',
  abMetric: 'llm_ab_metric',
  abTest: 'llm_ab_test',
} as const;

/** Dashboard variable names; PromQL refers to them as `$name`. */
export const VAR = {
  datasource: 'datasource',
  service: 'service_name',
  provider: 'provider',
  model: 'model',
} as const;

/** Label matchers used by the panels, with dashboard variables still in place. */
export const SELECTOR = {
  /** Per-call metrics (latency, tokens, errors, time to first token, quality). */
  call: `${LABEL.service}=~"$${VAR.service}", ${LABEL.provider}=~"$${VAR.provider}", ${LABEL.model}=~"$${VAR.model}"`,
  /** Service-level metrics without provider/model labels (model registry). */
  service: `${LABEL.service}=~"$${VAR.service}"`,
  /** Endpoint health (llm_model_up carries provider and server address, no model). */
  provider: `${LABEL.service}=~"$${VAR.service}", ${LABEL.provider}=~"$${VAR.provider}"`,
  /** In-process drift gauges (model and drift metric, no provider). */
  model: `${LABEL.service}=~"$${VAR.service}", ${LABEL.model}=~"$${VAR.model}"`,
  /**
   * Recorded series keep only job, provider and model. The collector's Prometheus exporter sets
   * `job` to `service.namespace/service.name` (or `service.name` without a namespace), so the
   * service is matched at the end of `job`.
   */
  recorded: `job=~"(.+/)?$${VAR.service}", ${LABEL.provider}=~"$${VAR.provider}", ${LABEL.model}=~"$${VAR.model}"`,
  /** Recorded per-service series (spend and budget): `job` only, matched like `recorded`. */
  recordedService: `job=~"(.+/)?$${VAR.service}"`,
} as const;

/** Which part of llm-otel must be running for a series to exist. */
export type Feature =
  | 'calls'
  | 'errors'
  | 'streaming'
  | 'quality'
  | 'model-registry'
  | 'health'
  | 'drift'
  | 'token-detail'
  | 'cost'
  | 'rate-limits'
  | 'rate-limited'
  | 'ab'
  | 'recording-rules';

const FEATURE_BY_PREFIX: ReadonlyArray<readonly [string, Feature]> = [
  ['job_provider_model:', 'recording-rules'],
  ['job:', 'recording-rules'],
  // Spend and its budget, recorded per service, exist only where calls are priced.
  ['job:llm_cost', 'cost'],
  [METRIC.cost, 'cost'],
  [METRIC.unpricedCalls, 'cost'],
  [METRIC.tokenUsageDetail, 'token-detail'],
  ['llm_rate_limit_', 'rate-limits'],
  // 429 answers: errors of one type, which a pipeline may never see.
  [`${LABEL.errorType}="rate_limit"`, 'rate-limited'],
  [METRIC.errors, 'errors'],
  [METRIC.timeToFirstToken, 'streaming'],
  [METRIC.quality, 'quality'],
  [METRIC.modelVersion, 'model-registry'],
  [METRIC.modelDeployedAt, 'model-registry'],
  [METRIC.modelUp, 'health'],
  ['llm_drift_', 'drift'],
  ['llm_ab_', 'ab'],
  [METRIC.latency, 'calls'],
  [METRIC.tokens, 'calls'],
  [METRIC.requestTokens, 'calls'],
];

/** The features whose series an expression reads, in a fixed order. */
export function featuresOf(expr: string): Feature[] {
  const found = new Set<Feature>();
  for (const [prefix, feature] of FEATURE_BY_PREFIX) {
    if (expr.includes(prefix)) found.add(feature);
  }
  const order: Feature[] = [
    'calls',
    'errors',
    'streaming',
    'quality',
    'model-registry',
    'health',
    'drift',
    'token-detail',
    'cost',
    'rate-limits',
    'rate-limited',
    'ab',
    'recording-rules',
  ];
  return order.filter((f) => found.has(f));
}
