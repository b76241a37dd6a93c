import { nonEmptyString } from '../shared/safe.js';

/** Longer model ids are not labels (Bedrock's own ids and ARNs are far shorter). */
const MAX_MODEL_ID_LENGTH = 256;

/**
 * The `gen_ai.request.model` of a Bedrock `modelId`: the id as the app gave it
 * (`anthropic.claude-3-5-haiku-20241022-v1:0`, or an inference profile `us.anthropic...`), and for an
 * ARN only its resource id, the part after the last `/`
 * (`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude...` ->
 * `us.anthropic.claude...`; a provisioned model's or an application inference profile's id), so that
 * account ids and regions never reach a label. Ids longer than 256 characters are left out.
 * Bounded in cardinality by the ids the app calls; core caps the label's values besides.
 */
export function bedrockModelId(modelId: unknown): string | undefined {
  const id = nonEmptyString(modelId);
  if (id === undefined || id.length > MAX_MODEL_ID_LENGTH) return undefined;
  if (!id.startsWith('arn:')) return id;
  const slash = id.lastIndexOf('/');
  return slash < 0 ? undefined : nonEmptyString(id.slice(slash + 1));
}

/** Whether a model id (or ARN) names an Anthropic model, whose InvokeModel bodies are Anthropic's Messages API. */
export function isAnthropicModelId(modelId: unknown): boolean {
  return typeof modelId === 'string' && modelId.length <= MAX_MODEL_ID_LENGTH && modelId.includes('anthropic.');
}
