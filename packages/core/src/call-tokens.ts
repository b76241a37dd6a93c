import type { TokenUsage } from './pricing/cost.js';

/**
 * How a provider counts the prompt tokens it reports, as in the pricing building blocks'
 * {@link TokenUsage}: `total` (OpenAI, Azure OpenAI, Gemini: cached and cache-written tokens are
 * included) or `uncached` (Anthropic: `input_tokens` leaves out cache reads and writes).
 */
export type InputTokensKind = TokenUsage['inputKind'];

/**
 * How a provider counts the output tokens it reports: `total` (OpenAI, Anthropic: reasoning tokens
 * are included) or `visible` (Gemini: `thoughtsTokenCount` is not part of `candidatesTokenCount`).
 */
export type OutputTokensKind = TokenUsage['outputKind'];

/** Why the token usage of a call could not be read as one consistent whole. */
export type TokenProblem = 'invalid_token_kind' | 'inconsistent_token_usage';

/** True when a sum of counts is still exact (a safe integer). */
function isSafe(value: number): boolean {
  return Number.isSafeInteger(value);
}

/**
 * The tokens of one call in a single convention whatever the provider's: `input` counts every
 * prompt token (cached and cache-written ones included) and `output` every output token (reasoning
 * included), so the details are subsets of them and no sum over token types counts a token twice.
 *
 * One instance is reused for every call (the recording path allocates nothing for it); it is also
 * the {@link TokenUsage} `computeCost()` reads (kinds `total`).
 */
export class CallTokens implements TokenUsage {
  readonly inputKind = 'total' as const;
  readonly outputKind = 'total' as const;
  /** All prompt tokens; `cachedInput + cacheCreationInput` when the call reported no input count. */
  input = 0;
  cachedInput = 0;
  cacheCreationInput = 0;
  /** All output tokens; `reasoningOutput` when the call reported no output count. */
  output = 0;
  reasoningOutput = 0;
  /** Which counts the call reported (a token type is recorded only when reported). */
  hasInput = false;
  hasOutput = false;
  hasCachedInput = false;
  hasCacheCreationInput = false;
  hasReasoning = false;
  /** False when the last {@link read} found a problem: the details were dropped, and nothing is priced. */
  consistent = true;

  /** True when the call reported any count. */
  get any(): boolean {
    return this.hasInput || this.hasOutput || this.hasCachedInput || this.hasCacheCreationInput || this.hasReasoning;
  }

  /**
   * Reads the validated counts of a call (`undefined`: not reported) and the provider's counting
   * convention (`undefined`: `total`). On a problem, only `input` and `output` are kept, as reported,
   * and the problem is returned: the details cannot be placed inside them.
   */
  read(
    input: number | undefined,
    output: number | undefined,
    cached: number | undefined,
    creation: number | undefined,
    reasoning: number | undefined,
    inputKind: unknown,
    outputKind: unknown,
  ): TokenProblem | undefined {
    this.consistent = true;
    this.hasInput = input !== undefined;
    this.hasOutput = output !== undefined;
    this.input = input ?? 0;
    this.output = output ?? 0;
    this.hasCachedInput = cached !== undefined;
    this.hasCacheCreationInput = creation !== undefined;
    this.hasReasoning = reasoning !== undefined;
    this.cachedInput = cached ?? 0;
    this.cacheCreationInput = creation ?? 0;
    this.reasoningOutput = reasoning ?? 0;

    const inputUncached = inputKind === 'uncached';
    const outputVisible = outputKind === 'visible';
    if (
      (!inputUncached && inputKind !== undefined && inputKind !== 'total') ||
      (!outputVisible && outputKind !== undefined && outputKind !== 'total')
    )
      return this.detailsDropped('invalid_token_kind', input, output);

    const inCache = this.cachedInput + this.cacheCreationInput;
    if (!this.hasInput) this.input = inCache;
    else if (inputUncached) this.input += inCache;
    else if (inCache > this.input) return this.detailsDropped('inconsistent_token_usage', input, output);

    if (!this.hasOutput) this.output = this.reasoningOutput;
    else if (outputVisible) this.output += this.reasoningOutput;
    else if (this.reasoningOutput > this.output) return this.detailsDropped('inconsistent_token_usage', input, output);

    if (!isSafe(this.input) || !isSafe(this.output))
      return this.detailsDropped('inconsistent_token_usage', input, output);
    return undefined;
  }

  private detailsDropped(problem: TokenProblem, input: number | undefined, output: number | undefined): TokenProblem {
    this.consistent = false;
    this.input = input ?? 0;
    this.output = output ?? 0;
    this.hasCachedInput = false;
    this.hasCacheCreationInput = false;
    this.hasReasoning = false;
    this.cachedInput = 0;
    this.cacheCreationInput = 0;
    this.reasoningOutput = 0;
    return problem;
  }
}

/** The token fields of an `InferenceRecord`. */
export interface InferenceTokenFields {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningTokens?: number;
  inputTokensKind: InputTokensKind;
  outputTokensKind: OutputTokensKind;
}

/**
 * The token fields of an `InferenceRecord` for a usage read from the wire (`usageFromOpenAI()`,
 * `usageFromAnthropic()`, `usageFromGemini()`), with the provider's counting convention, e.g.
 * `recordInference({ provider: 'anthropic', ..., ...inferenceTokenFields(usageFromAnthropic(body.usage)) })`.
 */
export function inferenceTokenFields(usage: TokenUsage): InferenceTokenFields {
  const fields: InferenceTokenFields = {
    inputTokens: usage.input,
    outputTokens: usage.output,
    inputTokensKind: usage.inputKind,
    outputTokensKind: usage.outputKind,
  };
  if (usage.cachedInput !== undefined) fields.cachedInputTokens = usage.cachedInput;
  if (usage.cacheCreationInput !== undefined) fields.cacheCreationInputTokens = usage.cacheCreationInput;
  if (usage.reasoningOutput !== undefined) fields.reasoningTokens = usage.reasoningOutput;
  return fields;
}
