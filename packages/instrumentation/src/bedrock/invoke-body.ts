import { field } from '../shared/safe.js';
import { isAnthropicModelId } from './model-id.js';

const decoder = new TextDecoder();

/**
 * The JSON of an InvokeModel body (the response's `Uint8Array` body, a stream chunk's `bytes`), or
 * undefined when it is not JSON. The app's bytes are only read, never changed.
 */
export function parseJsonBytes(bytes: unknown): unknown {
  if (!(bytes instanceof Uint8Array)) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * Whether an InvokeModel call speaks Anthropic's Messages API: an Anthropic model id (also in an
 * inference profile or ARN), or a request body that names `anthropic_version` (an application
 * inference profile's ARN does not say the model). Other families are recorded without tokens.
 */
export function isAnthropicInvoke(input: unknown): boolean {
  if (isAnthropicModelId(field(input, 'modelId'))) return true;
  const body = field(input, 'body');
  return typeof body === 'string' && body.includes('"anthropic_version"');
}

/** `gen_ai.operation.name` of an InvokeModel call: `chat` for Anthropic's Messages bodies, else `text_completion`. */
export function invokeOperationName(input: unknown): string {
  return isAnthropicInvoke(input) ? 'chat' : 'text_completion';
}
