import type { ModelInfo } from '@llm-otel/core';
import type { MlflowModelVersion, MlflowTag } from './client.js';

/** The tags llm-otel puts on MLflow model versions (and reads back when following an alias). */
export const TAG_VERSION = 'llm_otel.version';
export const TAG_MODEL_HASH = 'llm_otel.model_hash';
export const TAG_SERVICE_NAME = 'llm_otel.service_name';
export const TAG_DEPLOYED_AT = 'llm_otel.deployed_at';

/** MLflow's limit on a tag value is 5000 characters; ours stay far below, this only guards. */
const MAX_TAG_VALUE = 5000;

/** The tags of the MLflow version of a registered model. */
export function versionTags(info: ModelInfo, serviceName: string | undefined): MlflowTag[] {
  const tags: MlflowTag[] = [
    { key: TAG_VERSION, value: info.version },
    { key: TAG_MODEL_HASH, value: info.modelHash },
    { key: TAG_DEPLOYED_AT, value: info.deployedAt.toISOString() },
  ];
  if (serviceName !== undefined && serviceName !== '')
    tags.push({ key: TAG_SERVICE_NAME, value: serviceName.slice(0, MAX_TAG_VALUE) });
  return tags;
}

export function tagOf(version: MlflowModelVersion, key: string): string | undefined {
  return version.tags?.find((t) => t.key === key)?.value;
}

/** The source URI of the versions llm-otel creates: MLflow needs one; nothing is stored there. */
export function sourceOf(info: ModelInfo): string {
  return `llm-otel://${encodeURIComponent(info.modelName)}/${encodeURIComponent(info.version)}`;
}

/** A string literal of MLflow's filter syntax, or undefined when `value` holds both quote kinds. */
export function filterLiteral(value: string): string | undefined {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  return undefined;
}
