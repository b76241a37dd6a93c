import { InstrumentationBase, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { type AnyMethod, patchMethod, unpatchMethod } from './patch-registry.js';
import { safely } from './safe.js';

/** One method to wrap in a loaded client module. */
export interface MethodPatch<O> {
  target: object;
  key: string;
  makeWrapper: (original: AnyMethod, currentOwner: () => O | undefined) => AnyMethod;
}

// Per-instance state lives outside the instance: InstrumentationBase calls enable() from its
// constructor, before a subclass's own fields would be initialised.
const loadedCopies = new WeakMap<object, Set<unknown>>();

function copiesOf(instrumentation: object): Set<unknown> {
  let set = loadedCopies.get(instrumentation);
  if (set === undefined) {
    set = new Set();
    loadedCopies.set(instrumentation, set);
  }
  return set;
}

/**
 * What the openai and ollama instrumentations share: every loaded copy of the client module (an app
 * may load both its CJS and its ESM build, or two versions) is remembered and patched through the
 * process-wide patch registry, so that a method is wrapped once however many instrumentation objects
 * are registered, and `disable()` takes this instrumentation out of every copy, not only the last.
 */
export abstract class LlmInstrumentation<C extends InstrumentationConfig> extends InstrumentationBase<C> {
  /** The methods to wrap in one loaded copy of the client module (none when it is not recognised). */
  protected abstract methodPatches(moduleExports: unknown): MethodPatch<this>[];

  /**
   * Instruments a client module that the require/import hooks cannot see, e.g. one bundled into the
   * app: `instrumentation.manuallyInstrument(await import('openai'))`.
   */
  manuallyInstrument(moduleExports: unknown): void {
    this.patchExports(moduleExports);
  }

  /** The `patch` of the module definitions: returns the exports unchanged. */
  protected patchExports<T>(moduleExports: T): T {
    safely(`${this.instrumentationName}:patch`, () => {
      if (moduleExports === null || (typeof moduleExports !== 'object' && typeof moduleExports !== 'function')) return;
      copiesOf(this).add(moduleExports);
      if (!this.isEnabled()) return;
      for (const patch of this.methodPatches(moduleExports)) {
        patchMethod(this, patch.target, patch.key, patch.makeWrapper);
      }
    });
    return moduleExports;
  }

  /** The `unpatch` of the module definitions. */
  protected unpatchExports(moduleExports: unknown): void {
    safely(`${this.instrumentationName}:unpatch`, () => {
      for (const patch of this.methodPatches(moduleExports)) unpatchMethod(this, patch.target, patch.key);
    });
  }

  override enable(): void {
    super.enable();
    const copies = loadedCopies.get(this);
    if (copies !== undefined) for (const copy of copies) this.patchExports(copy);
  }

  override disable(): void {
    super.disable();
    const copies = loadedCopies.get(this);
    if (copies !== undefined) for (const copy of copies) this.unpatchExports(copy);
  }
}
