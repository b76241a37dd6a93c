/**
 * Checks and copies the free-form metadata of a model registration. Metadata is served as JSON by the
 * version endpoint and written to the registry file, so it must be JSON-serialisable: a value JSON
 * can not hold (a cycle, a BigInt, a function) would otherwise throw later, on a request or a save,
 * far from the registration that caused it. The copy is deep and frozen, so a caller that changes its
 * object afterwards can not make the stored metadata unserialisable either.
 */

/** Deepest nesting accepted below `metadata` (`{ a: { b: 1 } }` is 2 levels). */
export const MAX_METADATA_DEPTH = 8;
/** Largest metadata accepted, in characters of its JSON form (approximately: escapes are not counted). */
export const MAX_METADATA_SIZE = 65_536;
/** Keys longer than this are shortened in error messages. */
const MAX_KEY_IN_MESSAGE = 64;

/** Thrown with a message naming the offending key; the registry turns it into a ModelRegistryError. */
export class MetadataError extends Error {
  override name = 'MetadataError';
}

type Key = string | number;

function describePath(path: readonly Key[]): string {
  let out = 'metadata';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const short = key.length > MAX_KEY_IN_MESSAGE ? `${key.slice(0, MAX_KEY_IN_MESSAGE)}...` : key;
      out += /^[A-Za-z_$][\w$]*$/.test(short) ? `.${short}` : `[${JSON.stringify(short)}]`;
    }
  }
  return out;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function kindOf(value: object): string {
  const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name.length > 0 ? `a ${name.slice(0, MAX_KEY_IN_MESSAGE)}` : 'a class instance';
}

/**
 * A deep, frozen copy of `metadata` holding only what JSON can: plain objects, arrays, strings,
 * finite numbers, booleans, null and valid Dates (kept as Dates; JSON writes them as ISO strings).
 * `undefined` object values are dropped and `undefined` array items become null, as in JSON.
 *
 * @throws MetadataError naming the key (e.g. `metadata.config.self`) of the first value refused.
 */
export function copyMetadata(metadata: Record<string, unknown>): Readonly<Record<string, unknown>> {
  const path: Key[] = [];
  const ancestors = new Set<object>();
  let size = 0;
  const fail = (reason: string): never => {
    throw new MetadataError(`${describePath(path)} ${reason}; metadata must be JSON-serialisable`);
  };
  const grow = (chars: number) => {
    size += chars;
    if (size > MAX_METADATA_SIZE) fail(`makes the metadata larger than ${MAX_METADATA_SIZE} characters of JSON`);
  };

  const copy = (value: unknown): unknown => {
    switch (typeof value) {
      case 'string':
        grow(value.length + 2);
        return value;
      case 'boolean':
        grow(5);
        return value;
      case 'number':
        if (!Number.isFinite(value)) fail(`is ${value}; numbers must be finite`);
        grow(8);
        return value;
      case 'bigint':
        return fail('is a BigInt, which JSON can not hold (use a string or a number)');
      case 'function':
      case 'symbol':
        return fail(`is a ${typeof value}, which JSON can not hold`);
      case 'undefined':
        return undefined;
    }
    if (value === null) {
      grow(4);
      return null;
    }
    const object = value as object;
    if (object instanceof Date) {
      if (Number.isNaN(object.getTime())) fail('is an invalid Date');
      grow(26);
      return new Date(object.getTime());
    }
    if (ancestors.has(object)) fail('is a circular reference');
    if (ancestors.size > MAX_METADATA_DEPTH) fail(`is nested deeper than ${MAX_METADATA_DEPTH} levels`);
    ancestors.add(object);
    let out: unknown;
    if (Array.isArray(object)) {
      const items: unknown[] = [];
      grow(2);
      for (let i = 0; i < object.length; i++) {
        path.push(i);
        items.push(copy(read(object, i)) ?? null);
        grow(1);
        path.pop();
      }
      out = Object.freeze(items);
    } else if (isPlainObject(object)) {
      out = copyObject(object as Record<string, unknown>);
    } else {
      fail(`is ${kindOf(object)}, not a plain object, array or Date`);
    }
    ancestors.delete(object);
    return out;
  };

  const read = (object: object, key: Key): unknown => {
    try {
      return (object as Record<Key, unknown>)[key];
    } catch (error) {
      return fail(`could not be read: ${String(error)}`);
    }
  };

  const copyObject = (object: Record<string, unknown>): Readonly<Record<string, unknown>> => {
    const out: Record<string, unknown> = {};
    grow(2);
    for (const key of Object.keys(object)) {
      path.push(key);
      grow(key.length + 4);
      const item = copy(read(object, key));
      // defineProperty, not assignment: a key named `__proto__` must stay a key, not set the prototype.
      if (item !== undefined)
        Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
      path.pop();
    }
    return Object.freeze(out);
  };

  ancestors.add(metadata);
  return copyObject(metadata);
}

/** Whether `value` is an object metadata may be: a plain object (not an array, a class instance or null). */
export function isMetadataObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && isPlainObject(value);
}
