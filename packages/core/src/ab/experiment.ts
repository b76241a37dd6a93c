import { ATTR_LLM_OTEL_REASON } from '../attributes.js';
import { LlmOtelConfigError } from '../config-error.js';
import { globalSingleton } from '../global-state.js';
import { getLlmMetrics } from '../llm-metrics.js';
import { warnOnce } from '../report-once.js';
import { checkedSpecName } from '../spec-name.js';
import { isVariant, type Variant } from '../variant.js';
import { fmix32, fnv1a32, fnv1a32Byte } from './assignment-hash.js';

/**
 * Experiments: a named set of variants (arms) with traffic weights, a deterministic split of the
 * app's keys (user or session ids) between them ({@link assignVariant}), and a baseline the other
 * arms are compared with (see the A/B comparator).
 */

/** One arm of an experiment: a variant from `defineVariant()` and its share of the traffic. */
export interface ExperimentArm {
  readonly variant: Variant;
  /** A finite number >= 0; shares are weight / sum of weights. 0 pauses the arm (no new keys). */
  readonly weight: number;
}

/** What {@link defineExperiment} takes. */
export interface ExperimentSpec {
  /** 1 to 64 letters, digits, `_`, `.`, `:` or `-`, starting with a letter or digit (it is a label of the A/B gauges). */
  name: string;
  /** 2 to {@link MAX_ARMS} distinct variants: each a `Variant` (weight 1) or `{ variant, weight }`. */
  variants: ReadonlyArray<Variant | { variant: Variant; weight: number }>;
  /** The arm the others are compared with (a variant of `variants` or its name). Default: the first. */
  baseline?: Variant | string;
}

/** A declared experiment (frozen). */
export interface Experiment {
  readonly name: string;
  readonly arms: readonly ExperimentArm[];
  readonly baseline: Variant;
}

/** The most experiments a process declares. */
export const MAX_EXPERIMENTS = 20;
/** The most arms of one experiment. */
export const MAX_ARMS = 10;
/** The longest key {@link assignVariant} hashes (longer ones are refused: keys are ids). */
export const MAX_ASSIGNMENT_KEY_LENGTH = 1024;

const SPEC_KEYS: ReadonlySet<string> = new Set(['name', 'variants', 'baseline']);
const TWO_POW_32 = 4294967296;

/** What assignment needs, precomputed per experiment. */
interface Split {
  /** FNV-1a state after the experiment name and a 0 byte: the key continues it. */
  readonly seed: number;
  /** Per arm, the hash of its variant name: the key's hash is mixed with it (rendezvous hashing). */
  readonly armSeeds: readonly number[];
}

interface ExperimentState {
  readonly byName: Map<string, Experiment>;
  readonly splits: WeakMap<Experiment, Split>;
  /** Listeners of new experiments (the A/B comparator). */
  readonly listeners: Array<(experiment: Experiment) => void>;
}

const state = globalSingleton<ExperimentState>('experiments', () => ({
  byName: new Map(),
  splits: new WeakMap(),
  listeners: [],
}));

function configError(message: string): LlmOtelConfigError {
  return new LlmOtelConfigError(`defineExperiment(): ${message}`);
}

function armOf(entry: unknown, index: number): ExperimentArm {
  const given = isVariant(entry) ? { variant: entry, weight: 1 } : entry;
  if (typeof given !== 'object' || given === null || !isVariant((given as { variant?: unknown }).variant))
    throw configError(`variants[${index}] must be a variant from defineVariant() or { variant, weight }`);
  const { variant, weight } = given as { variant: Variant; weight: unknown };
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0)
    throw configError(`variants[${index}].weight must be a finite number >= 0, got ${String(weight)}`);
  return Object.freeze({ variant, weight });
}

function sameExperiment(a: Experiment, b: Experiment): boolean {
  return (
    a.baseline === b.baseline &&
    a.arms.length === b.arms.length &&
    a.arms.every((arm, i) => arm.variant === b.arms[i]?.variant && arm.weight === b.arms[i]?.weight)
  );
}

/**
 * Declares an experiment (see `defineExperiment()`, which also starts the A/B comparator): its variants with their traffic weights and the baseline. Calls made
 * under one of its variants (`withVariant()`) get the bounded `llm.variant` label on the call
 * metrics, and the A/B comparator compares each arm with the baseline (`llm_ab_*` gauges).
 * Declaring the same name again with the same arms returns the same object; with others it throws.
 *
 * @throws LlmOtelConfigError for an invalid name, fewer than 2 or more than {@link MAX_ARMS} arms,
 *   a repeated variant, an invalid weight, all weights 0, an unknown baseline, a name declared
 *   with other arms, or more than {@link MAX_EXPERIMENTS} experiments.
 */
export function declareExperiment(spec: ExperimentSpec): Experiment {
  const name = checkedSpecName(spec, SPEC_KEYS, 'a name and variants', configError);
  if (!Array.isArray(spec.variants) || spec.variants.length < 2 || spec.variants.length > MAX_ARMS)
    throw configError(`variants must be an array of 2 to ${MAX_ARMS} variants`);
  const arms = spec.variants.map(armOf);
  const names = new Set(arms.map((a) => a.variant.name));
  if (names.size !== arms.length) throw configError('variants must be distinct');
  if (!arms.some((a) => a.weight > 0)) throw configError('at least one weight must be above 0');
  const baselineName =
    spec.baseline === undefined ? undefined : isVariant(spec.baseline) ? spec.baseline.name : spec.baseline;
  const baseline =
    baselineName === undefined
      ? (arms[0] as ExperimentArm).variant
      : arms.find((a) => a.variant.name === baselineName)?.variant;
  if (baseline === undefined)
    throw configError(`baseline ${JSON.stringify(String(baselineName))} is not one of the variants`);
  const experiment: Experiment = Object.freeze({ name, arms: Object.freeze(arms), baseline });
  const existing = state.byName.get(name);
  if (existing !== undefined) {
    if (sameExperiment(existing, experiment)) return existing;
    throw configError(`experiment ${name} is already declared with other arms; give the new one another name`);
  }
  if (state.byName.size >= MAX_EXPERIMENTS) throw configError(`at most ${MAX_EXPERIMENTS} experiments can be declared`);
  state.byName.set(name, experiment);
  state.splits.set(experiment, {
    seed: fnv1a32Byte(0, fnv1a32(name)),
    armSeeds: arms.map((a) => fmix32(fnv1a32(a.variant.name))),
  });
  for (const listener of state.listeners) listener(experiment);
  return experiment;
}

/** The declared experiment named `name`, if any. */
export function getExperiment(name: string): Experiment | undefined {
  return state.byName.get(name);
}

/** Every declared experiment, in declaration order. */
export function listExperiments(): Experiment[] {
  return [...state.byName.values()];
}

/**
 * The variant of `experiment` that `key` (a user or session id the app chooses) is assigned to:
 * always the same for the same experiment name, key and arms, whatever the process; each arm gets
 * its weight's share of the keys. Weighted rendezvous hashing: the arm with the highest
 * weight / -ln(u), u a hash of the experiment, key and arm in (0, 1), so changing one arm's
 * weight moves keys only to or from that arm. The key is hashed and forgotten: never stored, never
 * a label. Cheap (one pass over the key, one mix per arm); never throws: a key that is not a
 * non-empty string or a finite number, or is longer than {@link MAX_ASSIGNMENT_KEY_LENGTH}, gets
 * the baseline (counted in `llm_otel_invalid_input_total`, reason `invalid_assignment_key`).
 */
export function assignVariant(key: string | number, experiment: Experiment): Variant {
  const split = state.splits.get(experiment);
  if (split === undefined) {
    invalid('invalid_experiment', 'assignVariant() got an experiment not returned by defineExperiment()');
    return (experiment as Experiment | undefined)?.baseline as Variant;
  }
  const text = typeof key === 'number' && Number.isFinite(key) ? String(key) : key;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_ASSIGNMENT_KEY_LENGTH) {
    invalid(
      'invalid_assignment_key',
      `assignVariant() needs a non-empty string (at most ${MAX_ASSIGNMENT_KEY_LENGTH} characters) or a finite number as key; the baseline was used`,
    );
    return experiment.baseline;
  }
  const h = fnv1a32(text, split.seed);
  const { arms } = experiment;
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < arms.length; i++) {
    const weight = (arms[i] as ExperimentArm).weight;
    if (weight === 0) continue;
    // u in (0, 1): never 0 or 1, so -ln(u) is finite and > 0.
    const u = (fmix32(h ^ (split.armSeeds[i] as number)) + 0.5) / TWO_POW_32;
    const score = weight / -Math.log(u);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return (arms[best] as ExperimentArm).variant;
}

function invalid(reason: 'invalid_assignment_key' | 'invalid_experiment', message: string): void {
  try {
    getLlmMetrics()
      .instruments()
      .invalidInput.add(1, { [ATTR_LLM_OTEL_REASON]: reason });
    warnOnce(`invalid:${reason}`, message);
  } catch {
    // Counting must never stop the app's request.
  }
}

/** Adds a listener called with each experiment declared from now on and, at once, with those declared before. */
export function onExperiment(listener: (experiment: Experiment) => void): void {
  state.listeners.push(listener);
  for (const experiment of state.byName.values()) listener(experiment);
}

/** Test helper: forget every declared experiment (listeners stay). */
export function resetExperimentsForTests(): void {
  state.byName.clear();
}
