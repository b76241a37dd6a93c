/**
 * The context manager that prompt variants need: core's `withVariant()` keeps the variant in the
 * OpenTelemetry context, which follows async work only with a context manager. register() sets up
 * a set-up that core calls the first time a variant is used and none works (lazily: an app that
 * uses no variants gets no context manager from this), and leaves one registered by the app or by
 * the traces set-up alone.
 */
import { setVariantContextSetup, variantContextSetup } from '@llm-otel/core/internal';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

function hasGlobalContextManager(): boolean {
  const slot = (globalThis as Record<symbol, { context?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return slot?.context !== undefined;
}

/** Registers the lazy set-up with core; returns what undoes it (and disables a manager it made). */
export function setUpVariantContext(): () => void {
  let made: AsyncLocalStorageContextManager | undefined;
  const setUp = () => {
    // One registered already (the app's, the traces set-up's) is not replaced.
    if (hasGlobalContextManager()) return undefined;
    made = new AsyncLocalStorageContextManager().enable();
    return made;
  };
  setVariantContextSetup(setUp);
  return () => {
    if (variantContextSetup() === setUp) setVariantContextSetup(undefined);
    if (made !== undefined) {
      // Core registered it as the global one when it made it.
      context.disable();
      made.disable();
      made = undefined;
    }
  };
}
