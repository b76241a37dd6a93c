/**
 * How a person finds one LLM call in the stores: the LogsQL query and the Jaeger API addresses
 * `pnpm demo:stack` prints, and the end-to-end test runs (so the printed examples keep working).
 */

/** The event name of the per-call log records. */
export const CALL_EVENT = 'gen_ai.client.inference.operation.details';

/**
 * LogsQL: the calls of one model of a service within `window` (a LogsQL duration such as `15m`),
 * with the fields that tell one call from another and lead to its span (`trace_id`).
 */
export function callsOfModelQuery(service: string, model: string, window = '15m'): string {
  return [
    `_time:${window}`,
    `{service.name=${JSON.stringify(service)}}`,
    `event_name:=${JSON.stringify(CALL_EVENT)}`,
    `gen_ai.request.model:=${JSON.stringify(model)}`,
    '| fields _time, trace_id, gen_ai.operation.name, gen_ai.usage.input_tokens, gen_ai.usage.output_tokens, llm.cost.usd, error.type',
  ].join(' ');
}

/** The same query as a `curl` command against VictoriaLogs' HTTP API. */
export function logsQueryCurl(victoriaLogsUrl: string, logsql: string): string {
  return `curl -s ${victoriaLogsUrl}/select/logsql/query --data-urlencode 'query=${logsql}'`;
}

/** Jaeger's HTTP API: one call's trace by the `trace_id` of its log record. */
export function jaegerTraceUrl(jaegerUrl: string, traceId: string): string {
  return `${jaegerUrl}/api/traces/${traceId}`;
}

/**
 * Jaeger's HTTP API: the latest spans of a service named `<operation> <model>` (the GenAI span name)
 * with that request model, within `lookback` (a Go duration such as `15m`).
 */
export function jaegerSearchUrl(
  jaegerUrl: string,
  service: string,
  operation: string,
  model: string,
  lookback = '15m',
): string {
  const params = new URLSearchParams({
    service,
    operation: `${operation} ${model}`,
    tags: JSON.stringify({ 'gen_ai.request.model': model }),
    lookback,
    limit: '20',
  });
  return `${jaegerUrl}/api/traces?${params}`;
}
