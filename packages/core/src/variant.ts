import { type ContextManager, context, createContextKey } from '@opentelemetry/api';
import { LlmOtelConfigError } from './config-error.js';
import { globalSingleton } from './global-state.js';
import { checkedSpecName } from './spec-name.js';

/**
 * Prompt variants: a named prompt template (with its version or hash) and sampling parameters that
 * requests run under (see `withVariant`). Declared once with {@link defineVariant}; the active
 * variant travels in the OpenTelemetry context, so concurrent requests keep their own.
 */

/** What {@link defineVariant} takes. */
export interface VariantSpec {
  /**
   * The variant's name: 1 to 64 letters, digits, `_`, `.`, `:` or `-`, starting with a letter or
   * digit (it may become a bounded metric label later, so it is kept label-safe).
   */
  name: string;
  /** The prompt template (at most 100000 characters). Never a label; not sent to MLflow by the experiment tracking. */
  template?: string;
  /** The template's version, e.g. `v3` or a git tag (at most 128 characters). */
  templateVersion?: string;
  /** The template's hash (at most 256 characters). Default, when `template` is given: its FNV-1a 64 hash, `fnv1a64:<hex>`. */
  templateHash?: string;
  /** The sampling temperature the variant's requests use (a finite number >= 0). */
  temperature?: number;
  /** The nucleus-sampling `top_p` the variant's requests use (0 to 1). */
  topP?: number;
  /** The most output tokens the variant's requests ask for (a positive integer). */
  maxTokens?: number;
}

/** A declared variant (frozen). Only objects returned by {@link defineVariant} are variants. */
export type Variant = Readonly<VariantSpec>;

/** The sampling parameters of a request (`temperature`, `top_p`, max output tokens), as the instrumentations read them. */
export interface SamplingParameters {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
}

/** The most variants a process declares (distinct names): variants are a handful of experiment arms, not per-request data. */
export const MAX_VARIANTS = 100;
const MAX_TEMPLATE_LENGTH = 100_000;
const SPEC_KEYS: ReadonlySet<string> = new Set([
  'name',
  'template',
  'templateVersion',
  'templateHash',
  'temperature',
  'topP',
  'maxTokens',
]);

interface VariantState {
  /** The declared variants by name. */
  readonly byName: Map<string, Variant>;
  /** Every declared variant object (what `isVariant` checks). */
  readonly declared: WeakSet<object>;
}

// On globalThis (see global-state.ts): the ESM and CJS builds share the variants and the context key.
const state = globalSingleton<VariantState>('variants', () => ({ byName: new Map(), declared: new WeakSet() }));
const VARIANT_KEY = globalSingleton('variantContextKey', () => createContextKey('@llm-otel/core variant'));

function configError(message: string): LlmOtelConfigError {
  return new LlmOtelConfigError(`defineVariant(): ${message}`);
}

/** A short string without control characters (linear scan, no regex on app data). */
function checkText(key: string, value: unknown, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max)
    throw configError(`${key} must be a string of 1 to ${max} characters`);
  for (let i = 0; i < value.length; i++)
    if (value.charCodeAt(i) < 0x20 || value.charCodeAt(i) === 0x7f)
      throw configError(`${key} must not hold control characters`);
  return value;
}

function checkNumber(key: string, value: unknown, ok: (n: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !ok(value)) throw configError(`${key} must be ${expected}, got ${String(value)}`);
  return value;
}

/** FNV-1a 64 of the template's UTF-8 bytes: a stable fingerprint (not a security hash) when the app gives none. */
export function templateFingerprint(template: string): string {
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(template)) hash = ((hash ^ BigInt(byte)) * prime) & mask;
  return `fnv1a64:${hash.toString(16).padStart(16, '0')}`;
}

function sameVariant(a: Variant, b: Variant): boolean {
  for (const key of SPEC_KEYS) if (a[key as keyof Variant] !== b[key as keyof Variant]) return false;
  return true;
}

/**
 * Declares a variant: checks `spec` and returns a frozen {@link Variant} to pass to `withVariant()`.
 * Declaring the same name again with the same fields returns the same object (module reloads);
 * with other fields it throws: a name is one experiment arm.
 *
 * @throws LlmOtelConfigError for an invalid field, an unknown key, a name declared with other
 *   fields, or more than {@link MAX_VARIANTS} names.
 */
export function defineVariant(spec: VariantSpec): Variant {
  const name = checkedSpecName(spec, SPEC_KEYS, 'a name', configError);
  const template = spec.template;
  if (template !== undefined && (typeof template !== 'string' || template.length > MAX_TEMPLATE_LENGTH))
    throw configError(`template must be a string of at most ${MAX_TEMPLATE_LENGTH} characters`);
  const templateVersion = checkText('templateVersion', spec.templateVersion, 128);
  const givenHash = checkText('templateHash', spec.templateHash, 256);
  const temperature = checkNumber(
    'temperature',
    spec.temperature,
    (n) => Number.isFinite(n) && n >= 0,
    'a finite number >= 0',
  );
  const topP = checkNumber('topP', spec.topP, (n) => n >= 0 && n <= 1, 'a number from 0 to 1');
  const maxTokens = checkNumber(
    'maxTokens',
    spec.maxTokens,
    (n) => Number.isSafeInteger(n) && n > 0,
    'a positive integer',
  );
  const variant: Variant = Object.freeze({
    name,
    ...(template !== undefined ? { template } : {}),
    ...(templateVersion !== undefined ? { templateVersion } : {}),
    ...(givenHash !== undefined
      ? { templateHash: givenHash }
      : template !== undefined
        ? { templateHash: templateFingerprint(template) }
        : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  });
  const existing = state.byName.get(name);
  if (existing !== undefined) {
    if (sameVariant(existing, variant)) return existing;
    throw configError(`variant ${name} is already declared with other fields; give the new arm another name`);
  }
  if (state.byName.size >= MAX_VARIANTS)
    throw configError(`at most ${MAX_VARIANTS} variants can be declared (variants are experiment arms)`);
  state.byName.set(name, variant);
  state.declared.add(variant);
  return variant;
}

/** Whether `value` is a variant returned by {@link defineVariant}. */
export function isVariant(value: unknown): value is Variant {
  return typeof value === 'object' && value !== null && state.declared.has(value);
}

/** The declared variant named `name`, if any. */
export function getVariant(name: string): Variant | undefined {
  return state.byName.get(name);
}

/**
 * The variant the current async context runs under (see `withVariant`), or undefined. Cheap: one
 * lookup in the active OpenTelemetry context.
 */
export function currentVariant(): Variant | undefined {
  const value = context.active().getValue(VARIANT_KEY);
  return isVariant(value) ? value : undefined;
}

/** The context key of the active variant (for `withVariant`). */
export function variantContextKey(): symbol {
  return VARIANT_KEY;
}

/**
 * What sets up a context manager when variants are used and none is registered: `@llm-otel/node`'s
 * `register()` sets one (AsyncLocalStorage); core stays free of platform code.
 */
export type ContextManagerSetup = () => ContextManager | undefined;

const setup = globalSingleton<{ current: ContextManagerSetup | undefined }>('variantContextSetup', () => ({
  current: undefined,
}));

/** Sets (or clears) the context manager set-up `withVariant` calls when it finds no working context manager. */
export function setVariantContextSetup(fn: ContextManagerSetup | undefined): void {
  setup.current = fn;
}

/** The registered set-up, if any. */
export function variantContextSetup(): ContextManagerSetup | undefined {
  return setup.current;
}

/** Test helper: forget every declared variant. */
export function resetVariantsForTests(): void {
  state.byName.clear();
}
