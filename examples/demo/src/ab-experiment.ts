/**
 * The demo's A/B experiment: the users of the summary feature are split by user id between the
 * current model (the baseline) and a candidate, which the model simulator makes slower, less often
 * on topic and less reliable. An evaluator scores every answer of the experiment; the comparator of
 * `@llm-otel/core` compares the arms, and the demo prints what its `llm_ab_*` gauges say.
 */
import {
  defineExperiment,
  defineVariant,
  type EvaluatedCall,
  type Evaluator,
  type Experiment,
  type Variant,
} from '@llm-otel/core';
import type { SimulationProfile } from '@llm-otel/model-simulator';

/** The model each arm's requests go to. */
export const BASELINE_MODEL = process.env.DEMO_AB_BASELINE_MODEL ?? 'claude-haiku-4-5';
export const CANDIDATE_MODEL = process.env.DEMO_AB_CANDIDATE_MODEL ?? 'claude-sonnet-4-6';

/** The experiment, its two arms (50/50) and the model of each arm. */
export interface SummaryExperiment {
  experiment: Experiment;
  baseline: Variant;
  candidate: Variant;
  modelOf(variant: Variant): string;
}

export function defineSummaryExperiment(): SummaryExperiment {
  const baseline = defineVariant({ name: 'haiku', templateVersion: 'v1' });
  const candidate = defineVariant({ name: 'sonnet', templateVersion: 'v1' });
  const experiment = defineExperiment({ name: 'summary-model', variants: [baseline, candidate], baseline });
  return {
    experiment,
    baseline,
    candidate,
    modelOf: (variant) => (variant === candidate ? CANDIDATE_MODEL : BASELINE_MODEL),
  };
}

/**
 * How the simulator answers as the candidate, relative to its base profile: about 2.5 times the
 * generation time, a quarter of each answer off topic, twice the server errors. The baseline keeps
 * the base profile (every word on topic) of the demo's earlier calls to its model.
 */
export function candidateProfile(base: SimulationProfile): Partial<SimulationProfile> {
  return {
    firstTokenMedianMs: base.firstTokenMedianMs * 2.5,
    perTokenMedianMs: base.perTokenMedianMs * 2.5,
    answerQuality: 0.75,
    serverErrorRate: base.serverErrorRate * 2,
  };
}

/**
 * Counts the words of `text` (maximal runs of ASCII letters, compared case-insensitively) that are
 * `onTopic` and `offTopic`. One pass, no regular expression.
 */
export function countWords(text: string, onTopic: string, offTopic: string): { on: number; off: number } {
  let on = 0;
  let off = 0;
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) | 0x20 : 0; // | 0x20: lower case of a letter
    const letter = c >= 0x61 && c <= 0x7a;
    if (letter && start < 0) start = i;
    else if (!letter && start >= 0) {
      const word = text.slice(start, i).toLowerCase();
      if (word === onTopic) on++;
      else if (word === offTopic) off++;
      start = -1;
    }
  }
  return { on, off };
}

/**
 * Scores the experiment's answers by their share of on-topic words: the simulator writes `word`
 * on topic and `um` off topic (a real evaluator would ask a judge model). Calls outside the
 * experiment, and answers with neither word (a real model's), are skipped.
 */
export const onTopicEvaluator: Evaluator = {
  name: 'on_topic',
  sampleRate: 1,
  evaluate: ({ variant, response }: EvaluatedCall) => {
    if (variant === undefined) return undefined;
    const { on, off } = countWords(JSON.stringify(response ?? ''), 'word', 'um');
    return on + off > 0 ? on / (on + off) : undefined;
  },
};
