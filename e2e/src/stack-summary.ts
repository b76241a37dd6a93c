import { type PromSample, query } from './prometheus.js';

const usd = (value: number) => `$${value.toFixed(4)}`;
const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

/** Label `name` of a sample, or `?`. */
const label = (s: PromSample, name: string) => s.metric[name] ?? '?';

/**
 * One line of spend and headroom for a person watching `pnpm demo:stack`, queried from Prometheus
 * (so it shows what reached it through the collector): the spend so far per model, and the lowest
 * share of each rate-limit window left across providers and servers.
 */
export async function spendAndHeadroom(prometheusUrl: string, job: string): Promise<string> {
  const selector = `{job=${JSON.stringify(job)}}`;
  const [spend, headroom] = await Promise.all([
    query(prometheusUrl, `sum by (gen_ai_request_model) (llm_cost_usd_total${selector})`),
    query(
      prometheusUrl,
      `min by (llm_rate_limit_kind) (llm_rate_limit_remaining${selector} / llm_rate_limit_limit${selector})`,
    ),
  ]);
  const total = spend.reduce((sum, s) => sum + Number(s.value[1]), 0);
  const models = spend
    .sort((a, b) => Number(b.value[1]) - Number(a.value[1]))
    .map((s) => `${label(s, 'gen_ai_request_model')} ${usd(Number(s.value[1]))}`)
    .join(', ');
  const windows = headroom
    .sort((a, b) => label(a, 'llm_rate_limit_kind').localeCompare(label(b, 'llm_rate_limit_kind')))
    .map((s) => `${label(s, 'llm_rate_limit_kind')} ${percent(Number(s.value[1]))}`)
    .join(', ');
  return `spend ${usd(total)}${models ? ` (${models})` : ''}  headroom ${windows || 'not reported'}`;
}
