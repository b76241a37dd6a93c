/**
 * The context manager that prompt variants need: core's `withVariant()` keeps the variant in the
 * OpenTelemetry context, which follows async work only with a context manager. register() sets up
 * a set-up that core calls the first time a variant is used and none works (lazily: an app that
 * uses no variants gets no context manager from this), and leaves one registered by the app or by
 * the traces set-up alone.
 *
 * The manager is a small one of our own on `AsyncLocalStorage` rather than
 * `@opentelemetry/context-async-hooks`: core calls the set-up synchronously, so a lazily imported
 * package would come too late, and loading that package at start would cost every process that
 * uses no variants (the start-up tests check that nothing of the traces SDK loads without traces).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setVariantContextSetup, variantContextSetup } from '@llm-otel/core/internal';
import { type Context, type ContextManager, context, ROOT_CONTEXT } from '@opentelemetry/api';

/** Follows the active context through async work (promises, timers, callbacks). */
class AsyncLocalContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const call = thisArg === undefined ? fn : fn.bind(thisArg);
    return this.storage.run(ctx, call as (...a: A) => ReturnType<F>, ...args);
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

function hasGlobalContextManager(): boolean {
  const slot = (globalThis as Record<symbol, { context?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return slot?.context !== undefined;
}

/** Registers the lazy set-up with core; returns what undoes it (and disables a manager it made). */
export function setUpVariantContext(): () => void {
  let made: AsyncLocalContextManager | undefined;
  const setUp = () => {
    // One registered already (the app's, the traces set-up's) is not replaced.
    if (hasGlobalContextManager()) return undefined;
    made = new AsyncLocalContextManager().enable();
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
