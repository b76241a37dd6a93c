/**
 * Sends span batches to MLflow's OTLP/HTTP endpoint as protobuf, with only the headers MLflow needs
 * (experiment id, auth). Our own small exporter rather than the SDK's OTLP one: that one merges
 * `OTEL_EXPORTER_OTLP_HEADERS` in, which would hand the collector's credentials to MLflow.
 */

import type { MlflowTraceDestination } from '@llm-otel/mlflow';
import { diag } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

type ExportCallback = Parameters<SpanExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];
/** `ExportResultCode` of `@opentelemetry/core`, not a dependency of ours. */
const SUCCESS = 0 as ExportResult['code'];
const FAILED = 1 as ExportResult['code'];
/** Longest part of MLflow's answer kept in a warning (its messages are short; a proxy's page is not). */
const MAX_DETAIL = 200;

/** Exports to one MLflow experiment; a failed batch is dropped, counted through `onFailed`, and warned about once per outage. */
export class MlflowSpanExporter implements SpanExporter {
  private readonly inFlight = new Set<Promise<void>>();
  private failing = false;
  private closed = false;

  constructor(
    private readonly destination: MlflowTraceDestination,
    private readonly onFailed: (spans: number) => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: ExportCallback): void {
    if (this.closed) {
      this.onFailed(spans.length);
      resultCallback({ code: FAILED, error: new Error('the MLflow span exporter is shut down') });
      return;
    }
    const work = this.send(spans).then(
      () => {
        if (this.failing) diag.info(`@llm-otel/node: MLflow takes the calls' traces again (${this.destination.url})`);
        this.failing = false;
        resultCallback({ code: SUCCESS });
      },
      (error: unknown) => {
        this.onFailed(spans.length);
        if (!this.failing)
          diag.warn(
            `@llm-otel/node: the calls' traces could not be sent to MLflow (${String(error)}); spans are dropped and counted in llm_otel_dropped_events_total until it takes them again`,
          );
        this.failing = true;
        resultCallback({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async send(spans: ReadableSpan[]): Promise<void> {
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    if (body === undefined) throw new Error('the spans could not be serialized');
    const { url, headers, timeoutMs } = this.destination;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-protobuf' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError';
      throw new Error(
        timedOut
          ? `no answer from ${url} within ${timeoutMs} ms`
          : `${url} is unreachable: ${String((error as Error)?.cause ?? error)}`,
      );
    }
    const text = await response.text().catch(() => '');
    if (!response.ok)
      // MLflow's own error text (e.g. an unknown experiment); the request's headers are never in it.
      throw new Error(`${url} answered HTTP ${response.status}: ${text.slice(0, MAX_DETAIL)}`);
  }

  async forceFlush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    await this.forceFlush();
  }
}
