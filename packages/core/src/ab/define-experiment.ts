import { declareExperiment, type Experiment, type ExperimentSpec } from './experiment.js';
import { getAbComparator } from './shared-comparator.js';

/**
 * Declares an experiment (see {@link declareExperiment} for the checks): its variants with their
 * traffic weights (`assignVariant()` splits keys between them) and the baseline. Calls under
 * one of its variants get the bounded `llm.variant` label on the call metrics, and the A/B
 * comparator (`getAbComparator()`) compares each arm with the baseline in the `llm_ab_*` gauges.
 *
 * @throws LlmOtelConfigError for an invalid experiment (the message names the field).
 */
export function defineExperiment(spec: ExperimentSpec): Experiment {
  const experiment = declareExperiment(spec);
  getAbComparator();
  return experiment;
}
