import { getLlmMetrics } from '../llm-metrics.js';
import type { DriftMonitor, DriftMonitorConfig } from './drift-monitor.js';
import { sharedDriftMonitor } from './shared-drift-monitor.js';

/**
 * The process-wide drift monitor, whose detectors are exported as the `llm_drift_*` gauges. Feed it
 * yourself with `observe()`, or let the recording API do it: `getLlmMetrics({ driftDetection: true })`
 * feeds the latency and output tokens of successful calls (by model and `gen_ai.operation.name`) and
 * every quality score (by model).
 *
 * @param options applied (process-wide, see {@link DriftMonitor.configure}) before returning
 * @throws LlmOtelConfigError when an option is invalid (nothing is changed then)
 */
export function getDriftMonitor(options?: DriftMonitorConfig): DriftMonitor {
  const monitor = sharedDriftMonitor(getLlmMetrics());
  if (options !== undefined) monitor.configure(options);
  return monitor;
}
