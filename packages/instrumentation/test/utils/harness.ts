import type OpenAIv6 from 'openai-v6';

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

/**
 * Resolves once the instrumentation's deferred abort handlers have run. An abort is recorded from a
 * `setImmediate` queued when the signal fires (`listenForAbort` in src/shared/stream-watch.ts), so
 * one macrotask queued after the abort runs after it: an ordering, not a timer.
 */
export function afterDeferredAbort(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Turns the event loop (and collects garbage when `gc` is exposed) until `done()` holds, at most
 * `turns` times; returns whether it held. For releases that depend on sockets closing: no timer.
 */
export async function turnUntil(done: () => boolean, turns = 500): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < turns; i++) {
    if (done()) return true;
    await new Promise((resolve) => setImmediate(resolve));
    gc?.();
  }
  return done();
}
