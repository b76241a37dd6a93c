import { globalSingleton } from '../global-state.js';
import { getLlmMetrics } from '../llm-metrics.js';
import { AB_GAUGE_KEYS, AbComparator } from './comparator.js';
import { onExperiment } from './experiment.js';

/**
 * The process-wide A/B comparator: created with the first call (declaring an experiment creates
 * it), fed by the recording API with the calls and quality scores of every experiment's arms, and
 * exported through the `llm_ab_*` gauges. Read its results with `compare()` or `latest()`; tune it
 * with `configure()`.
 */
export function getAbComparator(): AbComparator {
  return globalSingleton('abComparator', () => {
    const comparator = new AbComparator();
    const metrics = getLlmMetrics();
    for (const key of AB_GAUGE_KEYS) metrics.addGaugeObserver(key, (result) => comparator.observeGauge(key, result));
    metrics.setExperimentSink(comparator);
    onExperiment((experiment) => comparator.addExperiment(experiment));
    return comparator;
  });
}

/** Test helper: forget every experiment and sample of the process-wide comparator. */
export function resetAbComparatorForTests(): void {
  getAbComparator().clear();
}
