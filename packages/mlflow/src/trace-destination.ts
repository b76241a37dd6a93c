import type { MlflowConnection } from './config.js';

/** The header MLflow's OTLP endpoint reads the experiment of the spans from (required). */
export const MLFLOW_EXPERIMENT_ID_HEADER = 'x-mlflow-experiment-id';

/** Where and how to send OTLP/HTTP spans so they become traces of an MLflow experiment. */
export interface MlflowTraceDestination {
  /** `{tracking}/v1/traces`: MLflow's (>= 3.6) OTLP/HTTP trace endpoint. */
  readonly url: string;
  /** The experiment header and, when configured, `authorization` (never log these). */
  readonly headers: Readonly<Record<string, string>>;
  readonly experimentId: string;
  /** The connection's request timeout, for each export. */
  readonly timeoutMs: number;
}

/**
 * The OTLP trace destination of an experiment on the tracking server of `connection`. MLflow
 * ingests protobuf or JSON at `/v1/traces` only with a SQL backend store (a `file:` store answers 501).
 */
export function traceDestinationOf(connection: MlflowConnection, experimentId: string): MlflowTraceDestination {
  const headers: Record<string, string> = { [MLFLOW_EXPERIMENT_ID_HEADER]: experimentId };
  if (connection.authorization !== undefined) headers.authorization = connection.authorization;
  return { url: `${connection.baseUrl}/v1/traces`, headers, experimentId, timeoutMs: connection.timeoutMs };
}
