import { context } from '@opentelemetry/api';
import { ATTR_LLM_OTEL_REASON } from './attributes.js';
import { getLlmMetrics } from './llm-metrics.js';
import { warnOnce } from './report-once.js';
import { isVariant, type Variant, variantContextKey, variantContextSetup } from './variant.js';

/**
 * Runs `fn` under `variant`: every LLM call started inside it, and in the async work it starts
 * (awaits, timers, callbacks), is attributed to the variant, so concurrent requests keep their own.
 * Returns what `fn` returns (its promise, for an async `fn`) and lets its errors through unchanged.
 *
 * Needs an OpenTelemetry context manager: `register()` of `@llm-otel/node` sets up an
 * AsyncLocalStorage one the first time a variant is used if the app has none. Without one the call
 * still runs, without the variant (warned once, counted as an internal error `variantContext`).
 * A `variant` not returned by `defineVariant()` is dropped (counted as invalid input `invalid_variant`).
 */
export function withVariant<T>(variant: Variant, fn: () => T): T {
  if (!isVariant(variant)) {
    dropInvalid();
    return fn();
  }
  const scoped = context.active().setValue(variantContextKey(), variant);
  let ran = false;
  let result: T | undefined;
  const probe = () => {
    // The context manager works when the context we entered is the active one inside.
    if (context.active() !== scoped) return false;
    ran = true;
    result = fn();
    return true;
  };
  if (context.with(scoped, probe)) return result as T;
  if (!ran && installContextManager() && context.with(scoped, probe)) return result as T;
  if (!ran) {
    warnOnce(
      'variantContext',
      'withVariant() found no working OpenTelemetry context manager, so calls are not attributed to the variant: call register() of @llm-otel/node, or register a context manager (e.g. AsyncLocalStorageContextManager)',
    );
    getLlmMetrics().reportInternalError('variantContext', 'no context manager');
    return fn();
  }
  return result as T;
}

/** Sets up a context manager through the registered set-up; whether one was registered. */
function installContextManager(): boolean {
  const setUp = variantContextSetup();
  if (setUp === undefined) return false;
  try {
    const manager = setUp();
    return manager !== undefined && context.setGlobalContextManager(manager);
  } catch (error) {
    getLlmMetrics().reportInternalError('variantContext', error);
    return false;
  }
}

function dropInvalid(): void {
  try {
    getLlmMetrics()
      .instruments()
      .invalidInput.add(1, { [ATTR_LLM_OTEL_REASON]: 'invalid_variant' });
    warnOnce(
      'invalid:invalid_variant',
      'withVariant() got a variant not returned by defineVariant(); the call runs without one',
    );
  } catch {
    // Counting must never stop the app's call.
  }
}
