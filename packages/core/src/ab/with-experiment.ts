import { withVariant } from '../variant-scope.js';
import { assignVariant, type Experiment } from './experiment.js';

/**
 * Runs `fn` under the variant of `experiment` that `key` (a user or session id) is assigned to:
 * `withVariant(assignVariant(key, experiment), fn)`. Returns what `fn` returns.
 */
export function withExperiment<T>(experiment: Experiment, key: string | number, fn: () => T): T {
  return withVariant(assignVariant(key, experiment), fn);
}
