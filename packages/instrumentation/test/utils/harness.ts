import type OpenAIv6 from 'openai-v6';
import { OpenAIInstrumentation } from '../../src/index.js';
import { clientVersion, OPENAI_MODULES, requireClient } from './clients.js';

/** The openai client API the tests use; majors 4 to 7 share it (typed with v6). */
export type OpenAIClient = InstanceType<typeof OpenAIv6>;
export type OpenAIClass = new (options: Record<string, unknown>) => OpenAIClient;

export interface LoadedOpenAI {
  name: string;
  version: string;
  major: number;
  OpenAI: OpenAIClass;
  module: Record<string, unknown>;
}

/**
 * Creates (and so enables) an OpenAIInstrumentation, then loads the openai majors under test through
 * `require`, which the instrumentation's hook patches. Call at the top of a test file.
 */
export function instrumentOpenAI(): { instrumentation: OpenAIInstrumentation; clients: LoadedOpenAI[] } {
  // The test server is an unknown host, where `auto` would not ask for stream usage.
  const instrumentation = new OpenAIInstrumentation({ streamUsage: 'always' });
  const clients = OPENAI_MODULES.map((name) => {
    const module = requireClient(name) as Record<string, unknown>;
    const OpenAI = (module.OpenAI ?? module.default ?? module) as OpenAIClass;
    const version = clientVersion(name);
    return { name, version, major: Number(version.split('.')[0]), OpenAI, module };
  });
  return { instrumentation, clients };
}

/** Runs `fn` with the instrumentation enabled, then disabled (the app as it would be without us). */
export async function withAndWithout<T>(
  instrumentation: { enable(): void; disable(): void },
  fn: () => Promise<T>,
): Promise<{ instrumented: T; plain: T }> {
  const instrumented = await fn();
  instrumentation.disable();
  try {
    const plain = await fn();
    return { instrumented, plain };
  } finally {
    instrumentation.enable();
  }
}

/** Like withAndWithout for a call that must fail: returns both errors. */
export async function errorsWithAndWithout(
  instrumentation: { enable(): void; disable(): void },
  fn: () => Promise<unknown>,
): Promise<{ instrumented: unknown; plain: unknown }> {
  const capture = async () => {
    try {
      await fn();
    } catch (error) {
      return error;
    }
    throw new Error('expected the call to fail');
  };
  return withAndWithout(instrumentation, capture);
}

/** A comparable picture of an error the app sees. */
export function describeError(error: unknown): Record<string, unknown> {
  const e = error as Record<string, unknown>;
  return {
    class: (error as object)?.constructor?.name,
    name: e?.name,
    message: e?.message,
    status: e?.status ?? e?.status_code,
    error: e?.error,
    code: e?.code,
  };
}

/** A comparable picture of a value: its JSON, its class, and openai's non-enumerable `_request_id`. */
export function describeValue(value: unknown): Record<string, unknown> {
  return {
    class: (value as object)?.constructor?.name,
    json: JSON.parse(JSON.stringify(value ?? null)),
    requestId: (value as { _request_id?: unknown })?._request_id,
  };
}

/** Reads a whole async iterable, returning its items (as JSON) and the error that ended it, if any. */
export async function drain(iterable: AsyncIterable<unknown>): Promise<{ items: unknown[]; error?: unknown }> {
  const items: unknown[] = [];
  try {
    for await (const item of iterable) items.push(JSON.parse(JSON.stringify(item)));
  } catch (error) {
    return { items, error };
  }
  return { items };
}
