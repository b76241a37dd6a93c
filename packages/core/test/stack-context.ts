import { type Context, type ContextManager, context, ROOT_CONTEXT } from '@opentelemetry/api';

/**
 * A synchronous context manager (the API has none by default): `context.with()` makes a context
 * active for the callback's synchronous part, which is when a call starts (and its span). Enough to
 * check a call span's parent without an async-hooks context manager. Shared with the
 * instrumentation tests (re-exported by their test/utils/stack-context.ts).
 */
export class StackContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

/** Installs a {@link StackContextManager} as the global one (replacing any). */
export function installStackContext(): void {
  context.disable();
  context.setGlobalContextManager(new StackContextManager());
}
