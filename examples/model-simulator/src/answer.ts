/**
 * What the simulator sends for one request, whichever mode chose it (drawn at random, or scripted
 * by the model name): the wire layers (openai-wire.ts, ollama-wire.ts) only format an Answer.
 */
/** The operations the simulator answers, by API. */
export type Operation =
  | 'chat'
  | 'completions'
  | 'embeddings'
  | 'responses'
  | 'ollama.chat'
  | 'ollama.generate'
  | 'ollama.embed'
  | 'ollama.embeddings'
  | 'anthropic.messages'
  | 'anthropic.count_tokens';

export interface Answer {
  /** The model the response names (`model`). */
  model: string;
  /** Response id and creation time (Unix seconds); constant in scripted mode so runs compare equal. */
  id: string;
  created: number;
  /** The `x-request-id` header, if any. */
  requestId?: string;
  /** The generated text, in the pieces a stream sends (one per chunk). */
  pieces: string[];
  promptTokens: number;
  completionTokens: number;
  /** Reasoning tokens reported in the usage details (`reasoning_tokens`), when set. */
  reasoningTokens?: number;
  /** Cached prompt tokens reported in the usage details (`cached_tokens`; Anthropic `cache_read_input_tokens`), when set. */
  cachedTokens?: number;
  /** Prompt tokens written to the cache (Anthropic `cache_creation_input_tokens`), when set; part of `promptTokens`. */
  cacheWriteTokens?: number;
  /** An Anthropic stream sends an `overloaded_error` event after its first text delta. */
  streamError?: boolean;
  /** Headers sent with the answer besides content type and request id (rate limits). */
  headers?: Record<string, string>;
  /** Reasoning text streamed before the content (`reasoning_content`, Ollama's `thinking`), when set. */
  thinking?: string;
  /** Wait after the headers, before the first chunk of a stream. */
  firstChunkDelayMs: number;
  /** Wait between two chunks of a stream. */
  chunkDelayMs: number;
  /** Wait before a non-streamed body (the generation). */
  bodyDelayMs: number;
  /** Cut the connection after this many chunks of a stream. */
  cutAfterChunks?: number;
  /** Stop an OpenAI stream after its finish chunk (no usage chunk, no `[DONE]`), connection left open. */
  hold: boolean;
  /** Ollama's own timings, in nanoseconds. */
  ollamaTimings: { total_duration: number; load_duration: number; prompt_eval_duration: number; eval_duration: number };
}

export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

/**
 * The tokens of a completion: words, so that text and token counts agree. With `onTopicShare`
 * below 1, the last words are the off-topic `um` (the share of `word`s is what an evaluator scores).
 */
export function words(n: number, onTopicShare = 1): string[] {
  const onTopic = onTopicShare >= 1 ? n : Math.round(n * onTopicShare);
  return Array.from({ length: n }, (_, i) => (i >= onTopic ? ' um' : i === 0 ? 'Word' : ' word'));
}
