import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  type DataTransformerConfig,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  type Threshold,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanelBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { LABEL, METRIC, RECORDED, SELECTOR, VAR } from './metrics.js';

/** Stable identity of the dashboard: re-importing replaces it instead of adding a copy. */
export const DASHBOARD_UID = 'llm-otel-ml-service-metrics';
export const DASHBOARD_TITLE = 'ML Service Metrics';
/** Repository path of the generated JSON (relative to the repository root). */
export const DASHBOARD_PATH = 'grafana/dashboards/ml-service-metrics.json';

/** Every panel and query uses the datasource chosen in the `datasource` variable. */
const DATASOURCE = { type: 'prometheus', uid: `\${${VAR.datasource}}` } as const;

/** Thresholds of the spec's alerts, drawn on the panels that show the alerted value. */
export const THRESHOLDS = {
  /** HighLLMLatency: P95 latency > 5 s for 5 minutes. */
  latencyP95Seconds: 5,
  /** HighLLMErrorRate: error rate > 10 % for 2 minutes. */
  errorRatio: 0.1,
  /** LLMModelDrift: P95 more than 2 s above its 6-hour baseline. */
  driftSeconds: 2,
  /** LLMRateLimitNearlyExhausted: less than 10 % of a rate-limit window left for 5 minutes. */
  rateLimitHeadroom: 0.1,
  /** LLMCostBudgetExceeded: spend over the last hour above the hourly budget (share of it). */
  budgetShare: 1,
  /** A/B testing (no alert): an arm's p-value below it is marked as a significant difference. */
  abPValue: 0.05,
} as const;

/** The spec's actions for each alert, repeated in the panel descriptions. */
const ACTION = {
  latency: 'Check model performance and infrastructure',
  errors: 'Check logs for error details and model availability',
  down: 'Check service health and logs',
  drift: 'Recommends retrain/investigation pipeline',
  budget: "Check which model's spend grew and the traffic and prompt sizes behind it",
  rateLimit:
    'Reduce or spread the load (queue, back off, smaller prompts or max_tokens), move traffic to another model or deployment, or raise the limit with the provider',
} as const;

/** Custom Grafana units (`suffix:<text>`) for token counts. */
const UNIT = {
  seconds: 's',
  tokensPerSecond: 'suffix: tokens/s',
  tokens: 'suffix: tokens',
  requestsPerMinute: 'reqpm',
  ratio: 'percentunit',
  none: 'none',
  timestampMs: 'dateTimeAsIso',
  usd: 'currencyUSD',
} as const;

// ---- PromQL building blocks ---------------------------------------------------------------

const RATE_WINDOW = '$__rate_interval';

function rate(metric: string, selector: string, window: string = RATE_WINDOW): string {
  return `rate(${metric}{${selector}}[${window}])`;
}

/** `histogram_quantile(q, sum by (<by>, le) (rate(<histogram>_bucket{...}[$__rate_interval])))`. */
function quantile(q: number, histogram: string, selector: string, by: readonly string[] = []): string {
  const groups = [...by, 'le'].join(', ');
  return `histogram_quantile(${q}, sum by (${groups}) (${rate(`${histogram}_bucket`, selector)}))`;
}

// ---- builder helpers ------------------------------------------------------------------------

interface QuerySpec {
  refId: string;
  expr: string;
  legend?: string;
  /** Instant query returned as a table (tables, stats). */
  table?: boolean;
  instant?: boolean;
  /** Also fetch the exemplars of the query's series (range queries): Grafana draws them as points. */
  exemplar?: boolean;
}

function query(spec: QuerySpec): DataqueryBuilder {
  const q = new DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(spec.refId)
    .expr(spec.expr)
    .legendFormat(spec.legend ?? '__auto');
  if (spec.table) q.format(PromQueryFormat.Table);
  if (spec.table || spec.instant) q.instant();
  else q.range();
  if (spec.exemplar) q.exemplar(true);
  return q;
}

function thresholds(steps: Threshold[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

const GREEN_ONLY = thresholds([{ value: null, color: 'green' }]);

function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom)
    .showLegend(true)
    .calcs([]);
}

function tooltip(): common.VizTooltipOptionsBuilder {
  return new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending);
}

interface Layout {
  id: number;
  w: number;
  h: number;
}

interface TimeseriesSpec extends Layout {
  title: string;
  description: string;
  unit: string;
  queries: QuerySpec[];
  /** Draws a red threshold line at this value (an alert threshold). */
  alertLine?: number;
  min?: number;
  max?: number;
  decimals?: number;
}

function timeseries(spec: TimeseriesSpec): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .span(spec.w)
    .height(spec.h)
    .unit(spec.unit)
    .legend(legend())
    .tooltip(tooltip())
    .lineWidth(2)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false);
  if (spec.min !== undefined) panel.min(spec.min);
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  if (spec.alertLine !== undefined) {
    panel
      .thresholds(
        thresholds([
          { value: null, color: 'green' },
          { value: spec.alertLine, color: 'red' },
        ]),
      )
      .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  } else {
    panel.thresholds(GREEN_ONLY);
  }
  for (const q of spec.queries) panel.withTarget(query(q));
  return panel;
}

interface StatSpec extends Layout {
  title: string;
  description: string;
  unit: string;
  query: QuerySpec;
  steps: Threshold[];
  decimals?: number;
}

function stat(spec: StatSpec): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .span(spec.w)
    .height(spec.h)
    .unit(spec.unit)
    .thresholds(thresholds(spec.steps))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area)
    .textMode(common.BigValueTextMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']).fields(''))
    .withTarget(query(spec.query));
  if (spec.decimals !== undefined) panel.decimals(spec.decimals);
  return panel;
}

interface StateTimelineSpec extends Layout {
  title: string;
  description: string;
  queries: QuerySpec[];
  mappings: ValueMapping[];
}

function stateTimeline(spec: StateTimelineSpec): StateTimelinePanelBuilder {
  const panel = new StateTimelinePanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .span(spec.w)
    .height(spec.h)
    .mappings(spec.mappings)
    .thresholds(GREEN_ONLY)
    .showValue(common.VisibilityMode.Auto)
    .mergeValues(true)
    .rowHeight(0.8)
    .fillOpacity(80)
    .lineWidth(0)
    .legend(legend())
    .tooltip(tooltip());
  for (const q of spec.queries) panel.withTarget(query(q));
  return panel;
}

function valueMap(entries: Record<string, { text: string; color: string }>): ValueMapping {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  Object.entries(entries).forEach(([value, result], index) => {
    options[value] = { ...result, index };
  });
  return { type: MappingType.ValueToText, options };
}

// ---- variables ------------------------------------------------------------------------------

const ALL = { selected: true, text: ['All'], value: ['$__all'] };

function labelValuesVariable(name: string, label: string, metricSelector: string, title: string, help: string) {
  const definition = `label_values(${metricSelector}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(title)
    .description(help)
    .datasource(DATASOURCE)
    .query({ qryType: 1, query: definition, refId: 'PrometheusVariableQueryEditor-VariableQuery' })
    .definition(definition)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalCaseInsensitiveAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current(ALL);
}

// ---- the panels -----------------------------------------------------------------------------

const C = SELECTOR.call;
const BY_MODEL = [LABEL.model] as const;

/** The dashboard, built with the foundation SDK's typed builders. */
export function buildDashboard(): Dashboard {
  const requestRate = `sum by (${LABEL.model}) (${rate(`${METRIC.latency}_count`, C)})`;

  const builder = new DashboardBuilder(DASHBOARD_TITLE)
    .uid(DASHBOARD_UID)
    .description(
      'LLM inference latency, traffic, tokens, errors, model versions, drift and quality from llm-otel (llm_* metrics via the OpenTelemetry collector and Prometheus).',
    )
    .tags(['llm-otel', 'llm', 'ml', 'opentelemetry'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .refresh('1m')
    .withVariable(
      new DatasourceVariableBuilder(VAR.datasource)
        .label('Data source')
        .description('The Prometheus that scrapes the llm-otel collector (or the services directly).')
        .type('prometheus'),
    )
    .withVariable(
      labelValuesVariable(
        VAR.service,
        LABEL.service,
        `${METRIC.latency}_count`,
        'Service',
        'OpenTelemetry service.name of the instrumented service (the service_name label the collector adds).',
      ),
    )
    .withVariable(
      labelValuesVariable(
        VAR.provider,
        LABEL.provider,
        `${METRIC.latency}_count{${SELECTOR.service}}`,
        'Provider',
        'gen_ai.provider.name of the LLM calls (openai, anthropic, ...).',
      ),
    )
    .withVariable(
      labelValuesVariable(
        VAR.model,
        LABEL.model,
        `${METRIC.latency}_count{${SELECTOR.provider}}`,
        'Model',
        'gen_ai.request.model: the model the service asked for.',
      ),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name('Model deployments')
        .datasource(DATASOURCE)
        .enable(true)
        .hide(false)
        .iconColor('purple')
        .expr(
          `max by (${LABEL.modelName}, ${LABEL.modelVersion}) (${METRIC.modelDeployedAt}{${SELECTOR.service}}) * 1000`,
        )
        .useValueForTime(true)
        .step('1m')
        .titleFormat(`Deployed {{${LABEL.modelName}}} {{${LABEL.modelVersion}}}`)
        .textFormat(`${METRIC.modelDeployedAt}: model {{${LABEL.modelName}}} version {{${LABEL.modelVersion}}}`)
        .tagKeys(`${LABEL.modelName},${LABEL.modelVersion}`),
    );

  // ---- Overview --------------------------------------------------------------------------
  builder
    .withRow(new RowBuilder('Overview').id(100))
    .withPanel(
      stat({
        id: 1,
        w: 6,
        h: 4,
        title: 'Predictions / min',
        description:
          'LLM calls per minute (successful and failed) over the selected services, providers and models: the rate of llm_inference_latency_seconds_count. A sudden drop to zero while the service should be busy means calls stopped or metrics stopped arriving: Check service health and logs.',
        unit: UNIT.requestsPerMinute,
        query: { refId: 'A', expr: `sum(${rate(`${METRIC.latency}_count`, C)}) * 60`, instant: true },
        steps: [{ value: null, color: 'blue' }],
      }),
    )
    .withPanel(
      stat({
        id: 2,
        w: 6,
        h: 4,
        title: 'P95 latency',
        description: `95th percentile of llm_inference_latency_seconds over all selected models. Red from ${THRESHOLDS.latencyP95Seconds} s, the HighLLMLatency threshold (alert after 5 minutes above it). When red: ${ACTION.latency}.`,
        unit: UNIT.seconds,
        query: { refId: 'A', expr: quantile(0.95, METRIC.latency, C), instant: true },
        steps: [
          { value: null, color: 'green' },
          { value: THRESHOLDS.latencyP95Seconds, color: 'red' },
        ],
        decimals: 2,
      }),
    )
    .withPanel(
      stat({
        id: 3,
        w: 6,
        h: 4,
        title: 'Error ratio',
        description: `Failed calls / all calls (llm_error_rate_total over llm_inference_latency_seconds_count). Red from ${THRESHOLDS.errorRatio * 100} %, the HighLLMErrorRate threshold (alert after 2 minutes above it). When red: ${ACTION.errors}. 0 % when no call failed.`,
        unit: UNIT.ratio,
        query: {
          refId: 'A',
          expr: `(sum(${rate(METRIC.errors, C)}) or vector(0)) / sum(${rate(`${METRIC.latency}_count`, C)})`,
          instant: true,
        },
        steps: [
          { value: null, color: 'green' },
          { value: THRESHOLDS.errorRatio, color: 'red' },
        ],
        decimals: 1,
      }),
    )
    .withPanel(
      stat({
        id: 4,
        w: 6,
        h: 4,
        title: 'Model endpoints down',
        description: `Number of model endpoints whose last health probe failed (llm_model_up = 0). Red from 1; LLMModelDown fires after 2 minutes down. When red: ${ACTION.down}. No data means the health probe is not enabled.`,
        unit: UNIT.none,
        query: { refId: 'A', expr: `sum(1 - ${METRIC.modelUp}{${SELECTOR.provider}})`, instant: true },
        steps: [
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ],
        decimals: 0,
      }),
    );

  // ---- Latency and traffic ----------------------------------------------------------------
  builder
    .withRow(new RowBuilder('Latency and traffic').id(101))
    .withPanel(
      timeseries({
        id: 5,
        w: 12,
        h: 9,
        title: 'Model latency (P50, P95, P99)',
        description: `Percentiles of llm_inference_latency_seconds (request to last byte, streams included) per requested model, from the histogram buckets. The dashed red line is the HighLLMLatency threshold: P95 above ${THRESHOLDS.latencyP95Seconds} s for 5 minutes alerts. When P95 stays above it: ${ACTION.latency} (provider status, rate limiting, prompt sizes in "Tokens per request", network). The points on the P95 line are exemplars: single calls with their trace_id (when the service traces its calls and Prometheus has exemplar storage on: scraping the app's /metrics, the collector agent's OpenMetrics endpoint, or receiving the gateway's remote write); open one in your trace store to see the slow call.`,
        unit: UNIT.seconds,
        alertLine: THRESHOLDS.latencyP95Seconds,
        min: 0,
        queries: [
          { refId: 'A', expr: quantile(0.5, METRIC.latency, C, BY_MODEL), legend: `P50 {{${LABEL.model}}}` },
          {
            refId: 'B',
            expr: quantile(0.95, METRIC.latency, C, BY_MODEL),
            legend: `P95 {{${LABEL.model}}}`,
            // The trace and span ids of sampled calls on the latency buckets (once, not per percentile).
            exemplar: true,
          },
          { refId: 'C', expr: quantile(0.99, METRIC.latency, C, BY_MODEL), legend: `P99 {{${LABEL.model}}}` },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 6,
        w: 12,
        h: 9,
        title: 'Request volume (predictions/min)',
        description: `LLM calls per minute per requested model (successful and failed), from llm_inference_latency_seconds_count. Expect it to follow your traffic; a drop to zero while the service is busy means calls or metrics stopped: ${ACTION.down}. A spike explains latency and rate-limit errors below.`,
        unit: UNIT.requestsPerMinute,
        min: 0,
        queries: [{ refId: 'A', expr: `${requestRate} * 60`, legend: `{{${LABEL.model}}}` }],
      }),
    )
    .withPanel(
      timeseries({
        id: 7,
        w: 12,
        h: 9,
        title: 'Error rates by type',
        description: `Share of calls that failed, per error_type and model: rate(llm_error_rate_total) divided by the model's call rate. The dashed red line is the HighLLMErrorRate threshold (all types together above ${THRESHOLDS.errorRatio * 100} % for 2 minutes alerts). When it rises: ${ACTION.errors}. rate_limit means quota, timeout/unavailable/connection point at the provider or network, authentication/permission_denied at credentials, invalid_request at the prompts.`,
        unit: UNIT.ratio,
        alertLine: THRESHOLDS.errorRatio,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `sum by (${LABEL.model}, ${LABEL.errorType}) (${rate(METRIC.errors, C)}) / on (${LABEL.model}) group_left ${requestRate}`,
            legend: `{{${LABEL.errorType}}} · {{${LABEL.model}}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 8,
        w: 12,
        h: 9,
        title: 'Token generation rate',
        description:
          'Output tokens generated per second per requested model (rate of llm_token_generation_rate_total): throughput and the main driver of cost. A drop with steady request volume means shorter answers or truncated streams; a rise with steady volume means longer answers (check max_tokens and prompts). Watch it against your provider rate limits.',
        unit: UNIT.tokensPerSecond,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `sum by (${LABEL.model}) (${rate(METRIC.tokens, C)})`,
            legend: `{{${LABEL.model}}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 9,
        w: 12,
        h: 9,
        title: 'Time to first token (P50, P95)',
        description: `Streaming calls only: time from sending the request to the first content chunk (llm_time_to_first_token_seconds), per model. This is the wait a user sees before text appears. If it grows while total latency does not, the provider is queueing requests: ${ACTION.latency}. No data means no streaming calls.`,
        unit: UNIT.seconds,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: quantile(0.5, METRIC.timeToFirstToken, C, BY_MODEL),
            legend: `P50 {{${LABEL.model}}}`,
          },
          {
            refId: 'B',
            expr: quantile(0.95, METRIC.timeToFirstToken, C, BY_MODEL),
            legend: `P95 {{${LABEL.model}}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 10,
        w: 12,
        h: 9,
        title: 'Tokens per request (input vs output)',
        description:
          'Mean and P95 tokens per call by gen_ai_token_type (llm_request_token_count): input is the prompt, output the answer. Growing input tokens raise latency and cost (prompt or context growth, e.g. conversation history); output near your max_tokens means answers are being cut off.',
        unit: UNIT.tokens,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `sum by (${LABEL.tokenType}) (${rate(`${METRIC.requestTokens}_sum`, C)}) / sum by (${LABEL.tokenType}) (${rate(`${METRIC.requestTokens}_count`, C)})`,
            legend: `mean {{${LABEL.tokenType}}}`,
          },
          {
            refId: 'B',
            expr: quantile(0.95, METRIC.requestTokens, C, [LABEL.tokenType]),
            legend: `P95 {{${LABEL.tokenType}}}`,
          },
        ],
      }),
    );

  // ---- Model versions -----------------------------------------------------------------------
  const organize: DataTransformerConfig = {
    id: 'organize',
    options: {
      excludeByName: { Time: true },
      indexByName: {
        [LABEL.service]: 0,
        [LABEL.modelName]: 1,
        [LABEL.modelVersion]: 2,
        [LABEL.modelHash]: 3,
        Value: 4,
      },
      renameByName: {
        [LABEL.service]: 'Service',
        [LABEL.modelName]: 'Model',
        [LABEL.modelVersion]: 'Version',
        [LABEL.modelHash]: 'Hash',
        Value: 'Deployed at',
      },
    },
  };
  builder
    .withRow(new RowBuilder('Model versions').id(102))
    .withPanel(
      new TablePanelBuilder()
        .id(11)
        .title('Deployed model versions')
        .description(
          'The model versions each service reports as deployed now (llm_model_version == 1: name, version and hash from the model registry; a replaced version is reported as 0) with their deployment time (llm_model_deployed_at_seconds). Two versions of one model at once means a rollout is in progress or an instance was not updated. Deployments also appear as purple annotations on the time series; compare latency, errors and quality before and after each one.',
        )
        .datasource(DATASOURCE)
        .span(12)
        .height(8)
        .thresholds(GREEN_ONLY)
        .cellHeight(common.TableCellHeight.Sm)
        .withTransformation(organize)
        .overrideByName('Deployed at', [{ id: 'unit', value: UNIT.timestampMs }])
        .withTarget(
          query({
            refId: 'A',
            expr: `max by (${LABEL.service}, ${LABEL.modelName}, ${LABEL.modelVersion}, ${LABEL.modelHash}) ((${METRIC.modelVersion}{${SELECTOR.service}} == 1) * on (job, instance, ${LABEL.modelName}, ${LABEL.modelVersion}) group_left ${METRIC.modelDeployedAt}{${SELECTOR.service}}) * 1000`,
            table: true,
          }),
        ),
    )
    .withPanel(
      stateTimeline({
        id: 12,
        w: 12,
        h: 8,
        title: 'Model version timeline',
        description:
          'Which model versions were live when (one row per model and version, from llm_model_version: 1 deployed, 0 replaced). A new row starting is a deployment; overlapping rows are a rollout. If a latency, error or drift change lines up with a new version, roll back or investigate that version.',
        mappings: [valueMap({ '1': { text: 'deployed', color: 'blue' } })],
        queries: [
          {
            refId: 'A',
            expr: `max by (${LABEL.modelName}, ${LABEL.modelVersion}) (${METRIC.modelVersion}{${SELECTOR.service}})`,
            legend: `{{${LABEL.modelName}}} {{${LABEL.modelVersion}}}`,
          },
        ],
      }),
    );

  // ---- Drift detection ----------------------------------------------------------------------
  const driftExpr = `${RECORDED.p95}{${SELECTOR.recorded}} - ${RECORDED.p95Baseline6h}{${SELECTOR.recorded}}`;
  builder
    .withRow(new RowBuilder('Drift detection').id(103))
    .withPanel(
      timeseries({
        id: 13,
        w: 12,
        h: 9,
        title: 'Latency drift: P95 minus 6h baseline',
        description: `The value the LLMModelDrift alert evaluates: current 5-minute P95 latency minus its mean over the last 6 hours, per service (job), provider and model, from the recording rules in prometheus/rules/llm-recording.yml (load them, or this panel stays empty). Above the dashed red line (+${THRESHOLDS.driftSeconds} s) for 15 minutes alerts: ${ACTION.drift}. A lasting shift is absorbed into the baseline after a few hours.`,
        unit: UNIT.seconds,
        alertLine: THRESHOLDS.driftSeconds,
        queries: [{ refId: 'A', expr: driftExpr, legend: `{{${LABEL.model}}} ({{job}})` }],
      }),
    )
    .withPanel(
      timeseries({
        id: 14,
        w: 12,
        h: 9,
        title: 'P95 latency vs 6h baseline',
        description:
          'The two terms of the drift panel: the recorded 5-minute P95 latency and its 6-hour mean (the baseline). A P95 that leaves its baseline and stays away is drift; a short spike that returns is load. Needs the recording rules of prometheus/rules/llm-recording.yml.',
        unit: UNIT.seconds,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `${RECORDED.p95}{${SELECTOR.recorded}}`,
            legend: `P95 {{${LABEL.model}}} ({{job}})`,
          },
          {
            refId: 'B',
            expr: `${RECORDED.p95Baseline6h}{${SELECTOR.recorded}}`,
            legend: `6h baseline {{${LABEL.model}}} ({{job}})`,
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 15,
        w: 12,
        h: 9,
        title: 'Distribution drift statistics (in-process)',
        description: `The SDK's own drift detector compares the recent distribution of each monitored metric (llm_drift_metric: latency, response_length, quality_score) with its reference window: Kolmogorov-Smirnov statistic (0 to 1, larger = more different), population stability index (PSI; above 0.1 a moderate, above 0.2 a significant shift) and the KS test p-value (small = significant). A sustained high KS/PSI with a small p-value is real drift: ${ACTION.drift}. No data means drift detection is not enabled.`,
        unit: UNIT.none,
        min: 0,
        decimals: 3,
        queries: [
          {
            refId: 'A',
            expr: `max by (${LABEL.model}, ${LABEL.driftMetric}) (${METRIC.driftKs}{${SELECTOR.model}})`,
            legend: `KS {{${LABEL.driftMetric}}} · {{${LABEL.model}}}`,
          },
          {
            refId: 'B',
            expr: `max by (${LABEL.model}, ${LABEL.driftMetric}) (${METRIC.driftPsi}{${SELECTOR.model}})`,
            legend: `PSI {{${LABEL.driftMetric}}} · {{${LABEL.model}}}`,
          },
          {
            refId: 'C',
            expr: `min by (${LABEL.model}, ${LABEL.driftMetric}) (${METRIC.driftPValue}{${SELECTOR.model}})`,
            legend: `p-value {{${LABEL.driftMetric}}} · {{${LABEL.model}}}`,
          },
        ],
      }),
    )
    .withPanel(
      stateTimeline({
        id: 16,
        w: 12,
        h: 9,
        title: 'Drift detected (in-process)',
        description: `Whether the SDK's drift detector currently flags a drift (llm_drift_detected = 1) per monitored metric and model. Red periods are drift: ${ACTION.drift}. Compare with the model version timeline: drift right after a deployment points at the new version.`,
        mappings: [
          valueMap({
            '0': { text: 'no drift', color: 'green' },
            '1': { text: 'drift', color: 'red' },
          }),
        ],
        queries: [
          {
            refId: 'A',
            expr: `max by (${LABEL.model}, ${LABEL.driftMetric}) (${METRIC.driftDetected}{${SELECTOR.model}})`,
            legend: `{{${LABEL.driftMetric}}} · {{${LABEL.model}}}`,
          },
        ],
      }),
    );

  // ---- Quality and availability -------------------------------------------------------------
  builder
    .withRow(new RowBuilder('Quality and availability').id(104))
    .withPanel(
      timeseries({
        id: 17,
        w: 12,
        h: 9,
        title: 'Response quality score',
        description:
          'Latest quality score (0 to 100 %) reported by your evaluator per model and task (llm_response_quality_score). A drop after a deployment or prompt change is a regression: compare with the model version timeline, roll back or investigate; a slow decline alongside drift means the inputs changed (Recommends retrain/investigation pipeline). No data means no evaluator reports scores.',
        unit: UNIT.ratio,
        min: 0,
        max: 1,
        queries: [
          {
            refId: 'A',
            expr: `avg by (${LABEL.model}, ${LABEL.task}) (${METRIC.quality}{${C}})`,
            legend: `{{${LABEL.model}}} · {{${LABEL.task}}}`,
          },
        ],
      }),
    )
    .withPanel(
      stateTimeline({
        id: 18,
        w: 12,
        h: 9,
        title: 'Model endpoint up',
        description: `Result of the SDK's health probe per provider and endpoint (llm_model_up: 1 up, 0 down). Red for 2 minutes fires LLMModelDown: ${ACTION.down}, then the provider's status page and the network path to server_address. No data means the health probe is not enabled.`,
        mappings: [
          valueMap({
            '0': { text: 'DOWN', color: 'red' },
            '1': { text: 'UP', color: 'green' },
          }),
        ],
        queries: [
          {
            refId: 'A',
            expr: `min by (${LABEL.provider}, ${LABEL.serverAddress}) (${METRIC.modelUp}{${SELECTOR.provider}})`,
            legend: `{{${LABEL.provider}}} @ {{${LABEL.serverAddress}}}`,
          },
        ],
      }),
    );

  // ---- Cost and rate limits -------------------------------------------------------------------
  const P = SELECTOR.provider;
  const costRate = (by: string) => `sum by (${by}) (${rate(METRIC.cost, C)})`;
  const headroom = `${METRIC.rateLimitRemaining}{${P}} / ${METRIC.rateLimitLimit}{${P}}`;
  const spend = `${RECORDED.spendLastHour}{${SELECTOR.recordedService}}`;
  const budget = `${RECORDED.budgetPerHour}{${SELECTOR.recordedService}}`;
  // Token detail over its parent in llm_request_token_count: cache reads and writes are part of
  // the input tokens, reasoning of the output tokens.
  const detailShare = (types: string, parent: string) =>
    `sum by (${LABEL.model}, ${LABEL.tokenType}) (${rate(METRIC.tokenUsageDetail, `${C}, ${LABEL.tokenType}=~"${types}"`)}) / on (${LABEL.model}) group_left sum by (${LABEL.model}) (${rate(`${METRIC.requestTokens}_sum`, `${C}, ${LABEL.tokenType}="${parent}"`)})`;
  builder
    .withRow(new RowBuilder('Cost and rate limits').id(105))
    .withPanel(
      stat({
        id: 19,
        w: 6,
        h: 4,
        title: 'Spend per hour',
        description:
          'US dollars per hour the selected services, providers and models spend on LLM calls at the current rate (rate of llm_cost_usd_total × 3600, all token types). Computed by the SDK from each call\'s token usage and its price table; calls of models without a price are not included (see "Unpriced calls / min").',
        unit: UNIT.usd,
        query: { refId: 'A', expr: `sum(${rate(METRIC.cost, C)}) * 3600`, instant: true },
        steps: [{ value: null, color: 'blue' }],
        decimals: 2,
      }),
    )
    .withPanel(
      stat({
        id: 20,
        w: 6,
        h: 4,
        title: 'Hourly budget used',
        description: `Spend over the last hour as a share of the hourly budget, for the selected service closest to (or furthest over) its budget: ${RECORDED.spendLastHour} / ${RECORDED.budgetPerHour}. Red from 100 %: LLMCostBudgetExceeded fires after 5 minutes over it. Set budgets in prometheus/rules/llm-budget.yml (a default and one per service); needs the recording rules of prometheus/rules/llm-recording.yml. When red: ${ACTION.budget}. Per service: provider and model do not filter it.`,
        unit: UNIT.ratio,
        query: { refId: 'A', expr: `max(${spend} / on (job) ${budget})`, instant: true },
        steps: [
          { value: null, color: 'green' },
          { value: 0.8, color: 'orange' },
          { value: THRESHOLDS.budgetShare, color: 'red' },
        ],
        decimals: 0,
      }),
    )
    .withPanel(
      stat({
        id: 21,
        w: 6,
        h: 4,
        title: 'Unpriced calls / min',
        description:
          'Calls per minute whose model has no price in the price table (llm_cost_unpriced_calls_total): the SDK records no cost for them rather than guess, so the spend panels undercount while this is above 0. Add the model to the price table (register() option or the price file named by the environment variable; see the core README). 0 when every call is priced.',
        unit: UNIT.requestsPerMinute,
        query: { refId: 'A', expr: `(sum(${rate(METRIC.unpricedCalls, C)}) or vector(0)) * 60`, instant: true },
        steps: [
          { value: null, color: 'green' },
          { value: 0.001, color: 'orange' },
        ],
        decimals: 1,
      }),
    )
    .withPanel(
      stat({
        id: 22,
        w: 6,
        h: 4,
        title: 'Lowest rate-limit headroom',
        description: `The smallest remaining / limit of any rate-limit window (requests, tokens, input or output tokens) of the selected providers, from the latest response headers (llm_rate_limit_remaining / llm_rate_limit_limit). Red below ${THRESHOLDS.rateLimitHeadroom * 100} %: LLMRateLimitNearlyExhausted fires after 5 minutes there while calls continue, and 429s follow. When red: ${ACTION.rateLimit}. No data means the provider sends no rate-limit headers (local models).`,
        unit: UNIT.ratio,
        query: { refId: 'A', expr: `min(${headroom})`, instant: true },
        steps: [
          { value: null, color: 'red' },
          { value: THRESHOLDS.rateLimitHeadroom, color: 'green' },
        ],
        decimals: 0,
      }),
    )
    .withPanel(
      timeseries({
        id: 23,
        w: 12,
        h: 9,
        title: 'Cost per hour by model',
        description:
          'US dollars per hour per requested model at the current rate (rate of llm_cost_usd_total × 3600, all token types: uncached input, cached input, cache writes, output, reasoning). A rise with steady request volume means longer prompts or answers, fewer cache hits or a pricier model; compare with "Cost per 1,000 calls" and "Tokens per request". The recording rule job_provider_model:llm_cost_usd:increase1h holds the dollars of the last hour.',
        unit: UNIT.usd,
        min: 0,
        queries: [{ refId: 'A', expr: `${costRate(LABEL.model)} * 3600`, legend: `{{${LABEL.model}}}` }],
      }),
    )
    .withPanel(
      timeseries({
        id: 24,
        w: 12,
        h: 9,
        title: 'Spend in the last hour vs budget',
        description: `What LLMCostBudgetExceeded compares, per service (job): US dollars spent over the last hour (${RECORDED.spendLastHour}) and the hourly budget (${RECORDED.budgetPerHour}, set in prometheus/rules/llm-budget.yml: the service's own entry, else the default). Spend above the budget for 5 minutes alerts: ${ACTION.budget}. Needs the recording rules of prometheus/rules/llm-recording.yml and the budget file; provider and model do not filter it.`,
        unit: UNIT.usd,
        min: 0,
        queries: [
          { refId: 'A', expr: spend, legend: 'spent {{job}}' },
          { refId: 'B', expr: budget, legend: 'budget {{job}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 25,
        w: 12,
        h: 9,
        title: 'Cost per 1,000 calls',
        description:
          'US dollars per 1,000 calls per requested model: rate of llm_cost_usd_total over the call rate (llm_inference_latency_seconds_count, failed calls included), × 1000. The price of a typical call, independent of traffic: it moves with prompt and answer length, cache hits and price changes. Use it to compare models for the same task.',
        unit: UNIT.usd,
        min: 0,
        decimals: 3,
        queries: [
          {
            refId: 'A',
            expr: `${costRate(LABEL.model)} / ${requestRate} * 1000`,
            legend: `{{${LABEL.model}}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 26,
        w: 12,
        h: 9,
        title: 'Token mix: cached and reasoning share',
        description:
          'Per requested model, cached_input (read from the prompt cache, billed cheaper) and cache_creation_input (written to it) as a share of the input tokens, and reasoning as a share of the output tokens (llm_token_usage_detail_total over llm_request_token_count_sum). A falling cached share raises cost per call: check that prompts keep a stable prefix. A high reasoning share means most output tokens are billed but never shown; lower the reasoning effort where quality allows. No series for a model whose provider reports no such detail.',
        unit: UNIT.ratio,
        min: 0,
        max: 1,
        queries: [
          {
            refId: 'A',
            expr: `(${detailShare('cached_input|cache_creation_input', 'input')}) or (${detailShare('reasoning', 'output')})`,
            legend: `{{${LABEL.tokenType}}} · {{${LABEL.model}}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 27,
        w: 12,
        h: 9,
        title: 'Rate-limit headroom (remaining / limit)',
        description: `Share of each rate-limit window still available, per provider, endpoint and kind (requests, tokens, input_tokens, output_tokens), from the response headers of the latest call (llm_rate_limit_remaining / llm_rate_limit_limit; lowest over the selected services and instances). Below the dashed red line (${THRESHOLDS.rateLimitHeadroom * 100} %) for 5 minutes while calls continue fires LLMRateLimitNearlyExhausted; at 0 the provider answers 429 (next panel). When it stays low: ${ACTION.rateLimit}. The gauges keep the last headers when calls stop.`,
        unit: UNIT.ratio,
        alertLine: THRESHOLDS.rateLimitHeadroom,
        min: 0,
        max: 1,
        queries: [
          {
            refId: 'A',
            expr: `min by (${LABEL.provider}, ${LABEL.serverAddress}, ${LABEL.rateLimitKind}) (${headroom})`,
            legend: `{{${LABEL.provider}}} {{${LABEL.rateLimitKind}}} @ {{${LABEL.serverAddress}}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 28,
        w: 12,
        h: 9,
        title: 'Rate-limited calls (429) per minute',
        description: `Calls per minute the provider refused with 429 (llm_error_rate_total{error_type="rate_limit"}), per provider and requested model. They count in the error ratio (HighLLMErrorRate). Any steady rate means the headroom above reached 0: ${ACTION.rateLimit}.`,
        unit: UNIT.requestsPerMinute,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `sum by (${LABEL.provider}, ${LABEL.model}) (${rate(METRIC.errors, `${C}, ${LABEL.errorType}="rate_limit"`)}) * 60`,
            legend: `{{${LABEL.provider}}} · {{${LABEL.model}}}`,
          },
        ],
      }),
    );

  // ---- A/B testing --------------------------------------------------------------------------
  // Calls of an experiment arm carry llm_variant; the others are shown as one "(no experiment)" series.
  const V = LABEL.variant;
  const byVariant = (expr: string) => `label_replace(${expr}, "${V}", "(no experiment)", "${V}", "")`;
  const variantCalls = `sum by (${V}) (${rate(`${METRIC.latency}_count`, C)})`;
  const abSeries = (metric: string, agg: 'min' | 'max') =>
    `${agg} by (${LABEL.experiment}, ${V}, ${LABEL.abMetric}, ${LABEL.abTest}) (${metric}{${SELECTOR.service}})`;
  const abLegend = `{{${LABEL.experiment}}} {{${V}}} · {{${LABEL.abMetric}}} ({{${LABEL.abTest}}})`;
  builder
    .withRow(new RowBuilder('A/B testing').id(106))
    .withPanel(
      timeseries({
        id: 29,
        w: 8,
        h: 8,
        title: 'Calls per minute by variant',
        description: `Calls per minute per experiment arm (llm_variant: the variant the call ran under, set by assignVariant()/withVariant() for the variants of a defineExperiment()). A split that drifts away from the experiment's weights means keys are not assigned as intended (e.g. an invalid key falls back to the baseline: llm_otel_invalid_input_total{llm_otel_reason="invalid_assignment_key"}). Calls outside any experiment are "(no experiment)".`,
        unit: UNIT.requestsPerMinute,
        min: 0,
        queries: [{ refId: 'A', expr: `${byVariant(variantCalls)} * 60`, legend: `{{${V}}}` }],
      }),
    )
    .withPanel(
      timeseries({
        id: 30,
        w: 8,
        h: 8,
        title: 'P95 latency by variant',
        description:
          'The 95th percentile latency of each experiment arm (all calls, failures included), from llm_inference_latency_seconds by llm_variant. Whether a gap is more than noise: the p-values panel (latency compares successful calls with Mann-Whitney U and Welch t).',
        unit: UNIT.seconds,
        min: 0,
        queries: [{ refId: 'A', expr: byVariant(quantile(0.95, METRIC.latency, C, [V])), legend: `{{${V}}}` }],
      }),
    )
    .withPanel(
      timeseries({
        id: 31,
        w: 8,
        h: 8,
        title: 'Failed-call share by variant',
        description: `Failed calls over all calls per experiment arm (llm_error_rate_total over llm_inference_latency_seconds_count, by llm_variant); the A/B comparator tests it with a two-proportion z-test (error_ratio in the p-values panel). The overall ratio alerts at ${THRESHOLDS.errorRatio * 100} % (HighLLMErrorRate).`,
        unit: UNIT.ratio,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: byVariant(`sum by (${V}) (${rate(METRIC.errors, C)}) / ${variantCalls}`),
            legend: `{{${V}}}`,
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        id: 32,
        w: 12,
        h: 9,
        title: 'A/B p-values (arm vs baseline)',
        description: `The two-sided p-value of the latest comparison of each experiment arm with its baseline (llm_ab_p_value), per compared metric (latency of successful calls, quality_score, error_ratio) and test (mann_whitney, welch_t, two_proportion_z). Below the dashed line (${THRESHOLDS.abPValue}) the difference is unlikely to be chance; read its size and direction in the effect sizes panel. Each metric appears once both sides have the comparator's minimum sample (llm_ab_samples); no data means no experiment is defined.`,
        unit: UNIT.none,
        alertLine: THRESHOLDS.abPValue,
        min: 0,
        max: 1,
        decimals: 4,
        queries: [{ refId: 'A', expr: abSeries(METRIC.abPValue, 'min'), legend: abLegend }],
      }),
    )
    .withPanel(
      timeseries({
        id: 33,
        w: 12,
        h: 9,
        title: 'A/B effect sizes (arm minus baseline)',
        description:
          "How large and which way each arm differs from its baseline (llm_ab_effect_size): Hedges' g for welch_t (about 0.2 small, 0.5 medium, 0.8 large), the rank-biserial correlation for mann_whitney (-1 to 1), Cohen's h for two_proportion_z. Positive latency or error_ratio: the arm is slower or fails more; negative quality_score: it answers worse. llm_ab_difference holds the same in the metric's unit (seconds, score, ratio).",
        unit: UNIT.none,
        decimals: 2,
        queries: [{ refId: 'A', expr: abSeries(METRIC.abEffectSize, 'max'), legend: abLegend }],
      }),
    );

  return builder.build();
}

/** The dashboard as committed: pretty-printed JSON with a trailing newline. */
export function renderDashboardJson(dashboard: Dashboard = buildDashboard()): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
