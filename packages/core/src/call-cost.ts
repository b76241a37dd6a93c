import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  OVERFLOW_VALUE,
  TOKEN_TYPE_CACHE_CREATION_INPUT,
  TOKEN_TYPE_CACHED_INPUT,
  TOKEN_TYPE_INPUT,
  TOKEN_TYPE_OUTPUT,
  TOKEN_TYPE_REASONING,
} from './attributes.js';
import type { CallTokens } from './call-tokens.js';
import { type CallSinks, KEY_ABSENT, KEY_SEPARATOR } from './fast-aggregation.js';
import { computeCost } from './pricing/cost.js';
import { MAX_MODEL_NAME_LENGTH } from './pricing/model-name.js';
import { builtInPriceTable, type PriceTable } from './pricing/price-table.js';
import type { ModelPrice } from './pricing/price-types.js';
import { OPENAI_COMPATIBLE_PROVIDER, resolveModelPrice } from './pricing/resolve.js';

/**
 * The values of `gen_ai.token.type` on `llm_cost_usd_total`, in the order of a plan's series. They
 * partition a call: `input` is the uncached prompt, `output` the non-reasoning output.
 */
export const COST_TOKEN_TYPES = [
  TOKEN_TYPE_INPUT,
  TOKEN_TYPE_CACHED_INPUT,
  TOKEN_TYPE_CACHE_CREATION_INPUT,
  TOKEN_TYPE_OUTPUT,
  TOKEN_TYPE_REASONING,
] as const;

/** How the calls of one provider, request model, response model (and local server) are costed. */
interface CostPlan {
  /** `undefined`: no price is known; the call is counted in `llm_cost_unpriced_calls_total`. */
  readonly price: ModelPrice | undefined;
  /** Series keys: one per {@link COST_TOKEN_TYPES} entry, or the one unpriced series. */
  readonly keys: readonly string[];
  /** The attribute set of each key, built once. */
  readonly attributes: readonly Attributes[];
}

/** Plans kept per call attribute set (bounded by the limiter; this is a second bound). */
const MAX_PLANS = 4096;
/** Plans kept for calls whose model names overflowed to `_OTHER` (resolved from the raw names). */
const MAX_RAW_PLANS = 256;

/** What a call is priced by; the admitted values label the series, the raw ones find the price. */
export interface CostedCall {
  /**
   * The key of the call's attribute set, built by the recording path anyway: it determines the
   * admitted provider, models and server, so it is the memo key too (no string built per call).
   */
  seriesKey: string;
  provider: string;
  model: string | undefined;
  responseModel: string | undefined;
  serverAddress: string | undefined;
  rawModel: unknown;
  rawResponseModel: unknown;
  rawServerAddress: unknown;
}

/** A raw name that could be priced: longer ones never resolve (see MAX_MODEL_NAME_LENGTH). */
function rawString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_MODEL_NAME_LENGTH ? value : undefined;
}

/**
 * Records the cost of calls (`llm_cost_usd_total`) or counts them as unpriced, with the price of
 * each (provider, request model, response model) resolved once and memoized: a call whose plan is
 * known costs a Map lookup, and nothing else when its model is unpriced.
 */
export class CallCostRecorder {
  private table: PriceTable | undefined;
  private plans = new Map<string, CostPlan>();
  private rawPlans = new Map<string, CostPlan>();

  /** The table in use: the one set, else the built-in one. */
  priceTable(): PriceTable {
    return this.table ?? builtInPriceTable();
  }

  /** Uses `table` from now on (`undefined`: the built-in one) and forgets every resolved price. */
  setPriceTable(table: PriceTable | undefined): void {
    this.table = table;
    this.plans = new Map();
    this.rawPlans = new Map();
  }

  /**
   * Adds the cost of a call with `tokens` (normalised, consistent) to `sinks.cost`, one series per
   * token type the call reported, or counts it in `sinks.unpricedCalls`.
   * `call` is read and not kept (the caller may reuse it). Returns the cost in USD added (for the
   * call's event), `undefined` when the call is unpriced.
   */
  record(sinks: CallSinks, call: CostedCall, tokens: CallTokens): number | undefined {
    const plan = this.planOf(call);
    if (plan.price === undefined) {
      sinks.unpricedCalls.add(plan.keys[0] as string, 1, plan.attributes[0] as Attributes);
      return undefined;
    }
    const result = computeCost(plan.price, tokens);
    // Unreachable with tokens read by CallTokens (validated and consistent): nothing is guessed.
    if (!result.ok) return undefined;
    const { cost } = result;
    const { keys, attributes } = plan;
    if (tokens.hasInput) sinks.cost.add(keys[0] as string, cost.input, attributes[0] as Attributes);
    if (tokens.hasCachedInput) sinks.cost.add(keys[1] as string, cost.cachedInput, attributes[1] as Attributes);
    if (tokens.hasCacheCreationInput)
      sinks.cost.add(keys[2] as string, cost.cacheCreationInput, attributes[2] as Attributes);
    if (tokens.hasOutput) sinks.cost.add(keys[3] as string, cost.output, attributes[3] as Attributes);
    if (tokens.hasReasoning) sinks.cost.add(keys[4] as string, cost.reasoningOutput, attributes[4] as Attributes);
    return cost.total;
  }

  private planOf(call: CostedCall): CostPlan {
    const { provider, model, responseModel } = call;
    // The server tells a local OpenAI-compatible server from a remote one; other providers ignore it.
    const usesServer = provider === OPENAI_COMPATIBLE_PROVIDER;
    const server = usesServer ? call.serverAddress : undefined;
    const overflowed =
      model === OVERFLOW_VALUE || responseModel === OVERFLOW_VALUE || (usesServer && server === OVERFLOW_VALUE);
    if (overflowed) return this.rawPlanOf(call);
    let plan = this.plans.get(call.seriesKey);
    if (plan === undefined) {
      plan = this.resolve(call, model, responseModel, server);
      // Full (more attribute sets than any cardinality limit keeps): still correct, resolved per call.
      if (this.plans.size < MAX_PLANS) this.plans.set(call.seriesKey, plan);
    }
    return plan;
  }

  /**
   * A name beyond the distinct-value limit is labelled `_OTHER` but still priced by its real name,
   * so spend is not lost when a service uses more models than the label limit.
   */
  private rawPlanOf(call: CostedCall): CostPlan {
    const model = rawString(call.rawModel);
    const responseModel = rawString(call.rawResponseModel);
    const server = call.provider === OPENAI_COMPATIBLE_PROVIDER ? rawString(call.rawServerAddress) : undefined;
    // Raw names hold any character: JSON keeps the key unambiguous.
    const key = JSON.stringify([call.provider, call.model, call.responseModel, model, responseModel, server]);
    let plan = this.rawPlans.get(key);
    if (plan === undefined) {
      plan = this.resolve(call, model, responseModel, server);
      if (this.rawPlans.size < MAX_RAW_PLANS) this.rawPlans.set(key, plan);
    }
    return plan;
  }

  private resolve(
    call: CostedCall,
    model: string | undefined,
    responseModel: string | undefined,
    server: string | undefined,
  ): CostPlan {
    const resolution = resolveModelPrice(this.priceTable(), {
      provider: call.provider,
      requestModel: model,
      responseModel,
      serverAddress: server,
    });
    const base = call.provider + KEY_SEPARATOR + (call.model ?? KEY_ABSENT);
    if (resolution.status === 'unpriced') {
      const attributes: Attributes = { [ATTR_GEN_AI_PROVIDER_NAME]: call.provider };
      if (call.model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = call.model;
      if (call.responseModel !== undefined) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = call.responseModel;
      return {
        price: undefined,
        keys: [base + KEY_SEPARATOR + (call.responseModel ?? KEY_ABSENT)],
        attributes: [attributes],
      };
    }
    return {
      price: resolution.price,
      keys: COST_TOKEN_TYPES.map((type) => base + KEY_SEPARATOR + type),
      attributes: COST_TOKEN_TYPES.map((type) => {
        const attributes: Attributes = { [ATTR_GEN_AI_PROVIDER_NAME]: call.provider };
        if (call.model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = call.model;
        attributes[ATTR_GEN_AI_TOKEN_TYPE] = type;
        return attributes;
      }),
    };
  }
}
