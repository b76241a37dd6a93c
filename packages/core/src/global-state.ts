/**
 * Process-wide singletons live on `globalThis` under a versioned symbol, so that the ESM and the
 * CJS build of this package (both can be loaded in one process: an ESM app with a CJS
 * instrumentation) share one registry, one set of limits and one set of instruments.
 */
const STATE_KEY = Symbol.for('@llm-otel/core.state.v1');

export function globalSingleton<T>(name: string, create: () => T): T {
  const holder = globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>;
  let state = holder[STATE_KEY];
  if (state === undefined) {
    state = {};
    holder[STATE_KEY] = state;
  }
  if (!(name in state)) state[name] = create();
  return state[name] as T;
}
