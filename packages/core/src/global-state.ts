import { diag } from '@opentelemetry/api';
import { PACKAGE_VERSION } from './version.js';

/**
 * Process-wide singletons live on `globalThis`, so that the ESM and the CJS build of this package
 * (both can be loaded in one process: an ESM app with a CJS instrumentation) and several installed
 * copies of it share one registry, one set of limits and one set of instruments.
 *
 * Each singleton is stored with the version of the copy that created it. Another copy uses it only
 * when that version is compatible with its own, by the rule the OpenTelemetry API applies to its
 * global registrations: same major version (for 0.x, the same minor), and the stored object at
 * least as new as the caller (a newer minor, or for 0.x a newer patch), so every method the caller
 * knows exists on it. An incompatible copy gets state of its own and a one-time diag error: its
 * calls still work, but its series and registry are separate, which the message says.
 */
const STATE_KEY = Symbol.for('@llm-otel/core.state');

interface Slot {
  readonly version: string;
  readonly value: unknown;
}

type SharedState = Record<string, Slot | undefined>;

/** State of this copy only, for singletons whose shared slot holds an incompatible version. */
const privateState = new Map<string, unknown>();

interface ParsedVersion {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | undefined;
}

// Anchored, no nested quantifiers: linear in the (short, package-controlled) version string.
const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parse(version: string): ParsedVersion | undefined {
  const m = SEMVER.exec(version);
  if (m === null) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] };
}

/**
 * Whether a copy of version `own` may use a singleton created by a copy of version `stored`.
 * Exported for tests.
 */
export function isCompatibleVersion(stored: string, own: string): boolean {
  if (stored === own) return true;
  const s = parse(stored);
  const o = parse(own);
  if (s === undefined || o === undefined) return false;
  // Pre-releases promise nothing: only the identical version is compatible.
  if (s.prerelease !== undefined || o.prerelease !== undefined) return false;
  if (s.major !== o.major) return false;
  if (o.major === 0) return s.minor === o.minor && s.patch >= o.patch;
  return s.minor >= o.minor;
}

function sharedState(): SharedState {
  const holder = globalThis as unknown as Record<symbol, SharedState | undefined>;
  let state = holder[STATE_KEY];
  if (state === undefined) {
    state = Object.create(null) as SharedState;
    holder[STATE_KEY] = state;
  }
  return state;
}

/**
 * The process-wide instance named `name`, created with `create` by the first compatible copy of
 * this package that asks for it.
 */
export function globalSingleton<T>(name: string, create: () => T, ownVersion: string = PACKAGE_VERSION): T {
  const state = sharedState();
  const slot = state[name];
  if (slot === undefined) {
    const value = create();
    state[name] = { version: ownVersion, value };
    return value;
  }
  if (isCompatibleVersion(slot.version, ownVersion)) return slot.value as T;
  // Keyed by version too, so that one module copy tested under several versions stays exact.
  const privateKey = `${name}@${ownVersion}`;
  if (!privateState.has(privateKey)) {
    diag.error(
      `@llm-otel/core ${ownVersion}: the process-wide '${name}' was created by @llm-otel/core ${slot.version}, ` +
        'which is not compatible; this copy keeps its own, so its metrics and registry are separate. ' +
        'Install one version of @llm-otel/core (e.g. dedupe your lockfile).',
    );
    privateState.set(privateKey, create());
  }
  return privateState.get(privateKey) as T;
}
