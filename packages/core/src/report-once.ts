import { diag } from '@opentelemetry/api';
import { globalSingleton } from './global-state.js';

const reported = globalSingleton('reportedOnce', () => new Set<string>());

/**
 * Logs a warning through the OpenTelemetry diag logger the first time `key` is seen, and never
 * again for that key: a bad value in a hot loop must not flood the logs. Keys are a small fixed set
 * (reasons and components), so the set stays small.
 */
export function warnOnce(key: string, message: string): void {
  if (reported.has(key)) return;
  reported.add(key);
  diag.warn(`@llm-otel: ${message} (reported once; further occurrences are only counted)`);
}

/** Test helper: forget which keys were reported. */
export function resetReportedForTests(): void {
  reported.clear();
}
