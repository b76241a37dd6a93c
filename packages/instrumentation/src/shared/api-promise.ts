import { field, safely } from './safe.js';

/**
 * The parts of the `APIPromise` of the Stainless-generated clients that are observed: openai (v4 to
 * v7) and `@anthropic-ai/sdk` (1.x) share its design.
 */
interface ApiPromiseLike {
  responsePromise: PromiseLike<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
  parsedPromise?: PromiseLike<unknown>;
  _thenUnwrap?: (transform: (value: unknown, ...rest: unknown[]) => unknown, ...rest: unknown[]) => unknown;
}

/**
 * openai 7 gives each APIPromise its own `_thenUnwrap` (used by `parse()` and the structured-output
 * helpers) that parses through a captured function instead of `parseResponse`: the value is also
 * taken from the transform it is given.
 */
function observeThenUnwrap(promise: ApiPromiseLike, succeed: (value: unknown) => void): void {
  const thenUnwrap = promise._thenUnwrap;
  if (typeof thenUnwrap !== 'function') return;
  const own = Object.getOwnPropertyDescriptor(promise, '_thenUnwrap');
  Object.defineProperty(promise, '_thenUnwrap', {
    configurable: true,
    writable: true,
    enumerable: own?.enumerable ?? false,
    value: function (this: unknown, transform: (value: unknown, ...rest: unknown[]) => unknown, ...rest: unknown[]) {
      if (typeof transform !== 'function') return thenUnwrap.call(this, transform, ...rest);
      return thenUnwrap.call(
        this,
        function (this: unknown, value: unknown, ...args: unknown[]) {
          succeed(value);
          return transform.call(this, value, ...args);
        },
        ...rest,
      );
    },
  });
}

function isApiPromise(value: unknown): value is ApiPromiseLike {
  const p = value as Partial<ApiPromiseLike> | undefined;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.parseResponse === 'function' &&
    typeof p.responsePromise?.then === 'function'
  );
}

/**
 * Observes the outcome of an openai or Anthropic call without changing what the app gets, and
 * without reading the response body. Their `APIPromise` is lazy: its body is parsed only when someone calls
 * `.then()`, and `.asResponse()`, `.withResponse()` and `._thenUnwrap()` (used by `parse()` and the
 * structured-output helpers) rely on nobody else having read it. Calling `.then()` here would read
 * it and break them ("Body is unusable"). So:
 * - failures (HTTP errors after retries, connection errors, timeouts, aborts) are taken from the
 *   internal response promise, which holds the headers only;
 * - the parsed value is taken by wrapping the promise's own `parseResponse` on this instance, so it
 *   is seen when, and only when, the app's own consumption parses it;
 * - if some other code already started the parse (another instrumentation called `.then()`), the
 *   memoised parse promise is observed instead.
 * The app keeps the very same promise object. A value that is not an APIPromise but a plain promise
 * is observed with `.then()`, which is harmless for plain promises. Returns false when `promise`
 * is neither.
 *
 * `onResponse`, when given, is told once how the HTTP exchange ended, from the internal response
 * promise (the same one `.asResponse()` and `.withResponse()` read, so also for calls the app takes
 * raw): with the client's raw `Response` (whose headers are read, never its body), or with the
 * error the request failed with (an `APIError` carries the response headers). Streams included.
 */
export function observeApiPromise(
  promise: unknown,
  onValue: (value: unknown) => void,
  onError: (error: unknown) => void,
  component: string,
  onResponse?: (response: unknown, error: unknown) => void,
): boolean {
  const fail = (error: unknown): void => safely(component, () => onError(error));
  // The parsed value can reach us twice (parseResponse and a `_thenUnwrap` transform): read it once.
  let seen = false;
  const succeed = (value: unknown): void => {
    if (seen) return;
    seen = true;
    safely(component, () => onValue(value));
  };
  if (!isApiPromise(promise)) {
    const p = promise as PromiseLike<unknown> | undefined;
    if (!(p instanceof Promise)) return false;
    const failed =
      onResponse === undefined
        ? fail
        : (error: unknown): void => {
            safely(component, () => onResponse(undefined, error));
            fail(error);
          };
    p.then(succeed, failed);
    return true;
  }
  if (onResponse === undefined) promise.responsePromise.then(undefined, fail);
  else {
    // A side branch of the response promise: it holds `{ response, ... }` (headers only, the body
    // unread) or the error; the client's own chains on it are unchanged.
    promise.responsePromise.then(
      (props) => safely(component, () => onResponse(field(props, 'response'), undefined)),
      (error) => {
        safely(component, () => onResponse(undefined, error));
        fail(error);
      },
    );
  }
  if (typeof promise.parsedPromise?.then === 'function') {
    promise.parsedPromise.then(succeed, fail);
    return true;
  }
  // Before openai 7, `_thenUnwrap` lives on the prototype and parses through `this.parseResponse`,
  // which is observed below; only an instance's own `_thenUnwrap` (openai 7) needs wrapping.
  if (Object.hasOwn(promise, '_thenUnwrap')) safely(component, () => observeThenUnwrap(promise, succeed));
  const parseResponse = promise.parseResponse;
  promise.parseResponse = function (this: unknown, ...args: unknown[]): unknown {
    const parsed = parseResponse.apply(this, args);
    if (!(parsed instanceof Promise)) {
      succeed(parsed);
      return parsed;
    }
    // Observed on a side branch: the client gets its own promise back, so its chain (and timing)
    // is exactly as without us, and the branch handles the rejection it sees.
    parsed.then(succeed, fail);
    return parsed;
  };
  return true;
}
