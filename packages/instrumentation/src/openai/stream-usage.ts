import type { OpenAIInstrumentationConfig } from '../config.js';
import type { OpenAIEndpoint } from './client-endpoint.js';

/** Azure OpenAI accepts `stream_options` from this `api-version` on. */
const AZURE_STREAM_OPTIONS_SINCE = '2024-09-01';

function wantsUsage(endpoint: OpenAIEndpoint, config: OpenAIInstrumentationConfig): boolean {
  const setting = config.streamUsage ?? true;
  if (typeof setting === 'function') return setting(endpoint.info) === true;
  if (!setting) return false;
  if (endpoint.info.provider === 'azure.ai.openai') {
    return endpoint.apiVersion !== undefined && endpoint.apiVersion.slice(0, 10) >= AZURE_STREAM_OPTIONS_SINCE;
  }
  return true;
}

/**
 * For a streamed chat or legacy completion whose body does not set `stream_options`, returns the
 * arguments with a copy of the body that asks for usage (`stream_options: { include_usage: true }`),
 * and `injected: true`: the caller must then withhold the usage-only chunk and the `usage: null`
 * fields that the option adds. The app's own body object is never modified. Anything else is
 * returned as it is.
 */
export function withStreamUsage(
  args: unknown[],
  endpoint: OpenAIEndpoint,
  config: OpenAIInstrumentationConfig,
): { args: unknown[]; injected: boolean } {
  const body = args[0] as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { args, injected: false };
  if (body.stream !== true || body.stream_options != null) return { args, injected: false };
  if (!wantsUsage(endpoint, config)) return { args, injected: false };
  const next = [...args];
  next[0] = { ...body, stream_options: { include_usage: true } };
  return { args: next, injected: true };
}
