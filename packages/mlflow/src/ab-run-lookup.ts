import type { MlflowClient } from './client.js';
import { TAG_SERVICE_NAME } from './tags.js';
import { TAG_VARIANT } from './variant-tracking.js';

/**
 * The id of the latest RUNNING run of `variant` in the MLflow experiment (tag `llm_otel.variant`,
 * and `llm_otel.service_name` when given), as the variant tracking creates them; undefined when none.
 * Variant and service names are quoted in the filter; variant names are label-safe (no quotes).
 */
export async function findVariantRun(
  client: MlflowClient,
  experimentId: string,
  variant: string,
  serviceName: string | undefined,
): Promise<string | undefined> {
  const clauses = [`tags.\`${TAG_VARIANT}\` = '${quote(variant)}'`, `attributes.status = 'RUNNING'`];
  if (serviceName !== undefined) clauses.push(`tags.\`${TAG_SERVICE_NAME}\` = '${quote(serviceName)}'`);
  const body = await client.post('runs/search', {
    experiment_ids: [experimentId],
    filter: clauses.join(' and '),
    max_results: 1,
    order_by: ['attributes.start_time DESC'],
  });
  const runs = (body.runs ?? []) as Array<{ info?: { run_id?: string } }>;
  return runs[0]?.info?.run_id;
}

/** A value inside single quotes of an MLflow search filter. */
function quote(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll("'", "\\'");
}
