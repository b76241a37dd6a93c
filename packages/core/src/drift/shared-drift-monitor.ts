import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { globalSingleton } from '../global-state.js';
import type { ObservableGaugeKey } from '../instrument-set.js';
import { DRIFT_GAUGE_KEYS, type DriftHost, DriftMonitor } from './drift-monitor.js';

/** A {@link DriftHost} that also exports gauges: what the process-wide `LlmMetrics` offers. */
export interface SharedDriftHost extends DriftHost {
  addGaugeObserver(key: ObservableGaugeKey, observer: (result: ObservableResult<Attributes>) => void): void;
}

/**
 * The process-wide drift monitor, created on first use with `host` (the process-wide `LlmMetrics`)
 * and exported through its `llm_drift_*` gauges. The recording API calls this with itself, so this
 * module never imports the recording API (no import cycle); applications use `getDriftMonitor()`.
 */
export function sharedDriftMonitor(host: SharedDriftHost): DriftMonitor {
  return globalSingleton('driftMonitor', () => {
    const created = new DriftMonitor({}, host);
    for (const key of DRIFT_GAUGE_KEYS) host.addGaugeObserver(key, (result) => created.observeGauge(key, result));
    return created;
  });
}
