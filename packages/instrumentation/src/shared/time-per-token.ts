/**
 * Time per output token of a streamed call: the one definition that every client's streams use
 * (openai chat, legacy completions and responses; ollama chat and generate).
 *
 *     (end of stream - first content chunk) / (timed output tokens - 1)
 *
 * The first content chunk brings the first token, so the window holds the other tokens. The timed
 * tokens are the output tokens of the usage, minus the reasoning tokens it reports
 * (`completion_tokens_details.reasoning_tokens`, `output_tokens_details.reasoning_tokens`): a
 * reasoning model thinks before its first visible chunk, so that time is in the time to first token
 * and its tokens are not in the window. When the stream carried the reasoning itself (its first
 * content was reasoning text: `reasoning_content`, `reasoning`, Ollama's `thinking`), the reasoning
 * was timed inside the window and its tokens count.
 *
 * Returns undefined when the output tokens are unknown or fewer than 2 tokens were timed.
 */
export function timePerOutputToken(
  windowSeconds: number,
  outputTokens: number | undefined,
  reasoningTokens: number | undefined,
  reasoningStreamed: boolean,
): number | undefined {
  if (outputTokens === undefined || !(windowSeconds >= 0)) return undefined;
  const timed = reasoningStreamed || reasoningTokens === undefined ? outputTokens : outputTokens - reasoningTokens;
  return timed >= 2 ? windowSeconds / (timed - 1) : undefined;
}
