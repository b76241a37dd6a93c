import { diag } from '@opentelemetry/api';
import type { OpenAIInstrumentationConfig, StreamUsageMode } from '../config.js';
import type { OpenAIEndpoint } from './client-endpoint.js';

/** The environment variable that sets the default of the `streamUsage` option. */
export const STREAM_USAGE_ENV = 'LLM_OTEL_OPENAI_INJECT_STREAM_USAGE';

const MODES: readonly string[] = ['auto', 'always', 'never'];

/** Azure OpenAI accepts `stream_options` from this `api-version` on. */
const AZURE_STREAM_OPTIONS_SINCE = '2024-09-01';

let warnedValue: string | undefined;

/** The mode the environment asks for; an unknown value is reported once and means `auto`. */
function modeFromEnv(): StreamUsageMode {
  const raw = process.env[STREAM_USAGE_ENV];
  if (raw === undefined || raw === '') return 'auto';
  const value = raw.trim().toLowerCase();
  if (MODES.includes(value)) return value as StreamUsageMode;
  if (warnedValue !== raw) {
    warnedValue = raw;
    diag.warn(
      `llm-otel: ${STREAM_USAGE_ENV}=${JSON.stringify(raw.slice(0, 40))} is not auto, always or never; using auto`,
    );
  }
  return 'auto';
}

/**
 * Whether the endpoint is known to accept `stream_options: { include_usage: true }` on chat and
 * legacy completions: OpenAI's own API, Azure OpenAI from `api-version` 2024-09-01 (or its v1 API,
 * which has no `api-version`), and DeepSeek, which documents the option. Any other server may reject
 * an unknown body field (a 400 the app would not get without us), so `auto` leaves it alone.
 */
export function acceptsStreamUsage(endpoint: OpenAIEndpoint): boolean {
  const { provider, baseURL } = endpoint.info;
  if (provider === 'openai' || provider === 'deepseek') return true;
  if (provider !== 'azure.ai.openai') return false;
  const version = endpoint.apiVersion;
  if (version === undefined) return typeof baseURL === 'string' && /\/openai\/v1\/?$/.test(baseURL);
  return version.slice(0, 10) >= AZURE_STREAM_OPTIONS_SINCE || version === 'preview' || version === 'latest';
}

function wantsUsage(endpoint: OpenAIEndpoint, config: OpenAIInstrumentationConfig): boolean {
  const setting = config.streamUsage ?? modeFromEnv();
  if (typeof setting === 'function') return setting(endpoint.info) === true;
  if (setting === 'never' || setting === false) return false;
  if (setting === 'always' || setting === true) return true;
  return acceptsStreamUsage(endpoint);
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
