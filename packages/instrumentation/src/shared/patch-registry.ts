/**
 * Patching of class methods that composes with other instrumentations and stays single even when
 * several instrumentation objects (or both the ESM and the CJS build of this package) patch the same
 * method.
 *
 * A method is wrapped at most once, process-wide. Each instrumentation that asked for the patch is an
 * owner; the wrapper measures while it has owners and passes straight through when it has none. When
 * the last owner goes, the original method is put back if our wrapper is still the installed one; if
 * another instrumentation wrapped over ours since, restoring would drop theirs, so ours stays in the
 * chain as a pass-through and is reused if an owner comes back.
 */

export type AnyMethod = (this: any, ...args: any[]) => any;

interface Patch<O> {
  readonly original: AnyMethod;
  readonly wrapper: AnyMethod;
  readonly descriptor: PropertyDescriptor;
  readonly owners: Set<O>;
}

const REGISTRY_KEY = Symbol.for('@llm-otel/instrumentation.patches.v1');

function registry(): WeakMap<object, Map<string, Patch<unknown>>> {
  const holder = globalThis as unknown as Record<symbol, WeakMap<object, Map<string, Patch<unknown>>> | undefined>;
  let map = holder[REGISTRY_KEY];
  if (map === undefined) {
    map = new WeakMap();
    holder[REGISTRY_KEY] = map;
  }
  return map;
}

/** The object in `target`'s prototype chain that owns `key`, where a patch must go. */
export function definingObject(target: unknown, key: string): object | undefined {
  for (let o = target; typeof o === 'object' && o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, key)) return typeof (o as Record<string, unknown>)[key] === 'function' ? o : undefined;
  }
  return undefined;
}

/**
 * Wraps `target[key]` (an own method of `target`) for `owner`. `makeWrapper` gets the original method
 * and a function returning the current first owner (whose configuration applies). Returns true when
 * the method is now patched for `owner`.
 */
export function patchMethod<O>(
  owner: O,
  target: object,
  key: string,
  makeWrapper: (original: AnyMethod, currentOwner: () => O | undefined) => AnyMethod,
): boolean {
  const map = registry();
  let byKey = map.get(target);
  const existing = byKey?.get(key) as Patch<O> | undefined;
  if (existing !== undefined) {
    existing.owners.add(owner);
    return true;
  }
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor === undefined || typeof descriptor.value !== 'function' || !descriptor.configurable) return false;
  const original = descriptor.value as AnyMethod;
  const owners = new Set<O>([owner]);
  const currentOwner = (): O | undefined => owners.values().next().value;
  const measured = makeWrapper(original, currentOwner);
  const wrapper: AnyMethod = function (this: unknown, ...args: unknown[]) {
    return owners.size > 0 ? measured.apply(this, args) : original.apply(this, args);
  };
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  Object.defineProperty(target, key, { ...descriptor, value: wrapper });
  if (byKey === undefined) {
    byKey = new Map();
    map.set(target, byKey);
  }
  byKey.set(key, { original, wrapper, descriptor, owners } as Patch<unknown>);
  return true;
}

/** Removes `owner` from the patch of `target[key]`; restores the original when no owner is left. */
export function unpatchMethod(owner: unknown, target: object, key: string): void {
  const byKey = registry().get(target);
  const patch = byKey?.get(key);
  if (byKey === undefined || patch === undefined) return;
  patch.owners.delete(owner);
  if (patch.owners.size > 0) return;
  const current = Object.getOwnPropertyDescriptor(target, key);
  if (current?.value === patch.wrapper) {
    Object.defineProperty(target, key, patch.descriptor);
    byKey.delete(key);
  }
}

/** Whether `target[key]` is currently measured (patched and owned). For tests and diagnostics. */
export function isPatched(target: object, key: string): boolean {
  const patch = registry().get(target)?.get(key);
  return patch !== undefined && patch.owners.size > 0;
}
