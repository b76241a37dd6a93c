/**
 * `@llm-otel/mlflow`: llm-otel's MLflow integration. A typed client of MLflow's REST API, the
 * model sync that mirrors the model registry into MLflow's and follows an MLflow alias back, and
 * the experiment tracking of prompt variants.
 */

export {
  type AbComparisonLogging,
  type AbComparisonLoggingOptions,
  type AbComparisonLoggingStatus,
  runningAbComparisonLogging,
  startAbComparisonLogging,
} from './ab-comparison-logging.js';
export { PRIMARY_TEST, TAG_AB_BASELINE, TAG_AB_EXPERIMENT, TAG_AB_ROLE } from './ab-metrics.js';
export type { ArtifactStatus } from './artifacts.js';
export {
  artifactRootPath,
  downloadArtifact,
  listArtifacts,
  MlflowArtifactError,
  type MlflowArtifactFile,
  uploadArtifact,
} from './artifacts-api.js';
export {
  type ArtifactOptions,
  type ArtifactSettings,
  DEFAULT_ARTIFACT_SETTINGS,
  resolveArtifactSettings,
} from './artifacts-config.js';
export { DEFAULT_RETRY, type RetryOptions } from './backoff.js';
export {
  MlflowClient,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
  type MlflowTag,
} from './client.js';
export {
  DEFAULT_TIMEOUT_MS,
  MlflowConfigError,
  type MlflowConnection,
  type MlflowConnectionOptions,
  resolveConnection,
  trackingUriOf,
} from './config.js';
export { isNotFound, MlflowError } from './errors.js';
export {
  DEFAULT_EXPERIMENT_NAME,
  type ExperimentChoice,
  experimentChoiceOf,
  type ResolveExperimentOptions,
  resolveExperimentId,
} from './experiment-resolve.js';
export {
  type ModelSync,
  type ModelSyncOptions,
  type ModelSyncStatus,
  startModelSync,
} from './model-sync.js';
export { TAG_DEPLOYED_AT, TAG_MODEL_HASH, TAG_SERVICE_NAME, TAG_VERSION } from './tags.js';
export { MLFLOW_EXPERIMENT_ID_HEADER, type MlflowTraceDestination, traceDestinationOf } from './trace-destination.js';
export {
  createRun,
  createRunInfo,
  endRun,
  ensureExperiment,
  getExperimentByName,
  getRun,
  logBatch,
  type MlflowExperiment,
  type MlflowMetric,
  type MlflowParam,
  type MlflowRunInfo,
} from './tracking-api.js';
export { RESERVOIR_SIZE } from './variant-aggregate.js';
export {
  runningVariantTracking,
  startVariantTracking,
  TAG_VARIANT,
  type VariantTracking,
  type VariantTrackingOptions,
  type VariantTrackingStatus,
} from './variant-tracking.js';
