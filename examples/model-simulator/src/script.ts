import type { Answer, Operation } from './answer.js';

/**
 * Scripted mode: what the simulator does for a request is written in its model name, so that every
 * client can ask for an exact scenario without custom headers, and the answer is always the same
 * (fixed text and token counts, below). `gpt-test+slow-150+drip-20` answers after 150 ms, with
 * 20 ms between stream chunks. Parts, joined with `+`:
 *
 * - `fail-<status>`: an error body with that HTTP status;
 * - `slow-<ms>`: wait before the headers (a slow first byte);
 * - `wait-<ms>`: wait after the headers, before the first chunk;
 * - `drip-<ms>`: wait between stream chunks;
 * - `cut`: the connection is cut after two chunks;
 * - `hold`: an OpenAI stream stops after its finish chunk (no usage chunk, no `[DONE]`) and the
 *   connection stays open until the client closes it;
 * - `reason-<n>`: the usage reports n of the output tokens as reasoning tokens (an o-series model
 *   name such as `o4-mini` reports {@link SCRIPTED_REASONING_TOKENS} without it);
 * - `cached-<n>`: the usage reports n of the prompt tokens as cached (`cached_tokens`; Anthropic
 *   `cache_read_input_tokens`);
 * - `written-<n>`: an Anthropic usage reports n of the prompt tokens as written to the cache
 *   (`cache_creation_input_tokens`);
 * - `streamerror`: an Anthropic stream sends an `overloaded_error` event after its first text delta;
 * - `nolimits`: an OpenAI or Anthropic answer without rate-limit headers;
 * - `think`: the stream carries reasoning text before its content;
 * - `big-<n>`: the text starts with a piece of n characters.
 *
 * The same parts can come in the `x-simulator-script` request header (see {@link SCRIPT_HEADER}),
 * so a test can script a call to a real model name (one with a price, say) as well.
 */
export interface Script {
  failStatus?: number;
  headersDelayMs: number;
  firstChunkDelayMs: number;
  chunkDelayMs: number;
  cut: boolean;
  hold: boolean;
  reasoningTokens?: number;
  cachedTokens?: number;
  cacheWriteTokens?: number;
  streamError: boolean;
  /** Send no rate-limit headers. */
  noLimits: boolean;
  think: boolean;
  bigText?: number;
}

/** The request header whose parts (same syntax as in the model name) add to the model name's. */
export const SCRIPT_HEADER = 'x-simulator-script';

/** Reasoning tokens a scripted o-series model (`o1`, `o3-mini`, `o4-mini`, ...) reports by default. */
export const SCRIPTED_REASONING_TOKENS = 4;

/** Whether a model name is an o-series reasoning model: `o` and a digit (checked without a regex). */
export function isReasoningModel(model: unknown): boolean {
  if (typeof model !== 'string' || model.length < 2 || model[0] !== 'o') return false;
  const code = model.charCodeAt(1);
  return code >= 0x30 && code <= 0x39;
}

/**
 * Reads the script of a model name, and of the `x-simulator-script` header when given (linear: one
 * split each, no regular expression).
 */
export function parseScript(model: unknown, header?: unknown): Script {
  const script: Script = {
    headersDelayMs: 0,
    firstChunkDelayMs: 0,
    chunkDelayMs: 0,
    cut: false,
    hold: false,
    noLimits: false,
    think: false,
    streamError: false,
  };
  const parts: string[] = [];
  if (typeof model === 'string') parts.push(...model.split('+'));
  if (typeof header === 'string') parts.push(...header.split('+'));
  for (const part of parts) {
    const dash = part.indexOf('-');
    const name = dash < 0 ? part : part.slice(0, dash);
    const n = dash < 0 ? Number.NaN : Number(part.slice(dash + 1));
    if (name === 'fail') script.failStatus = n;
    else if (name === 'slow') script.headersDelayMs = n;
    else if (name === 'wait') script.firstChunkDelayMs = n;
    else if (name === 'drip') script.chunkDelayMs = n;
    else if (name === 'cut') script.cut = true;
    else if (name === 'hold') script.hold = true;
    else if (name === 'reason') script.reasoningTokens = n;
    else if (name === 'cached') script.cachedTokens = n;
    else if (name === 'written') script.cacheWriteTokens = n;
    else if (name === 'streamerror') script.streamError = true;
    else if (name === 'nolimits') script.noLimits = true;
    else if (name === 'think') script.think = true;
    else if (name === 'big') script.bigText = n;
  }
  return script;
}

/** The text every scripted answer streams, piece by piece. */
export const SCRIPTED_TEXT_PIECES: readonly string[] = ['Hel', 'lo', ' there'];

/** Token counts of scripted OpenAI answers; distinct so that a swap or a guess shows. */
export const SCRIPTED_OPENAI_USAGE = {
  chat: { input: 11, output: 7 },
  completions: { input: 13, output: 5 },
  embeddings: { input: 4 },
  responses: { input: 17, output: 9 },
} as const;

/**
 * Token counts of scripted Anthropic messages: `input` counts every prompt token (the wire's
 * `input_tokens` leave out the `cached-<n>` and `written-<n>` parts); `count_tokens` answers `input`.
 */
export const SCRIPTED_ANTHROPIC_USAGE = { input: 23, output: 8 } as const;

/** Counters of scripted Ollama answers (durations in nanoseconds, as Ollama sends them). */
export const SCRIPTED_OLLAMA_COUNTERS = {
  chat: { prompt_eval_count: 21, eval_count: 6, eval_duration: 60_000_000 },
  generate: { prompt_eval_count: 19, eval_count: 8, eval_duration: 40_000_000 },
  embed: { prompt_eval_count: 3 },
} as const;

/** The `x-request-id` of scripted OpenAI answers. */
export const SCRIPTED_REQUEST_ID = 'req_fake';

/** The model a scripted answer names: the request model plus a version suffix. */
export function scriptedResponseModel(model: unknown): string {
  return `${String(model)}-2024-07-18`;
}

const COUNTS: Record<Operation, { input: number; output: number; evalNs?: number }> = {
  chat: SCRIPTED_OPENAI_USAGE.chat,
  completions: SCRIPTED_OPENAI_USAGE.completions,
  embeddings: { input: SCRIPTED_OPENAI_USAGE.embeddings.input, output: 0 },
  responses: SCRIPTED_OPENAI_USAGE.responses,
  'ollama.chat': {
    input: SCRIPTED_OLLAMA_COUNTERS.chat.prompt_eval_count,
    output: SCRIPTED_OLLAMA_COUNTERS.chat.eval_count,
    evalNs: SCRIPTED_OLLAMA_COUNTERS.chat.eval_duration,
  },
  'ollama.generate': {
    input: SCRIPTED_OLLAMA_COUNTERS.generate.prompt_eval_count,
    output: SCRIPTED_OLLAMA_COUNTERS.generate.eval_count,
    evalNs: SCRIPTED_OLLAMA_COUNTERS.generate.eval_duration,
  },
  'ollama.embed': { input: SCRIPTED_OLLAMA_COUNTERS.embed.prompt_eval_count, output: 0 },
  'ollama.embeddings': { input: 0, output: 0 },
  'anthropic.messages': SCRIPTED_ANTHROPIC_USAGE,
  'anthropic.count_tokens': { input: SCRIPTED_ANTHROPIC_USAGE.input, output: 0 },
};

const IDS: Record<Operation, string> = {
  chat: 'chatcmpl-1',
  completions: 'cmpl-1',
  embeddings: 'emb-1',
  responses: 'resp_1',
  'ollama.chat': '',
  'ollama.generate': '',
  'ollama.embed': '',
  'ollama.embeddings': '',
  'anthropic.messages': 'msg_1',
  'anthropic.count_tokens': '',
};

/** The scripted answer to one request: fixed text and counts, the script's timing and failure modes. */
export function scriptedAnswer(operation: Operation, body: Record<string, unknown>, script: Script): Answer {
  const counts = COUNTS[operation];
  return {
    model: scriptedResponseModel(body.model),
    id: IDS[operation],
    created: 1_700_000_000,
    requestId: SCRIPTED_REQUEST_ID,
    pieces:
      script.bigText === undefined ? [...SCRIPTED_TEXT_PIECES] : ['a'.repeat(script.bigText), ...SCRIPTED_TEXT_PIECES],
    promptTokens: counts.input,
    completionTokens: counts.output,
    // Anthropic's usage has no reasoning count (thinking is part of output_tokens).
    reasoningTokens: operation.startsWith('anthropic.')
      ? undefined
      : (script.reasoningTokens ??
        (isReasoningModel(body.model) && (operation === 'chat' || operation === 'responses')
          ? SCRIPTED_REASONING_TOKENS
          : undefined)),
    cachedTokens: script.cachedTokens,
    cacheWriteTokens: operation.startsWith('anthropic.') ? script.cacheWriteTokens : undefined,
    streamError: script.streamError,
    thinking: script.think ? 'Hmm' : undefined,
    firstChunkDelayMs: script.firstChunkDelayMs,
    chunkDelayMs: script.chunkDelayMs,
    bodyDelayMs: 0,
    cutAfterChunks: script.cut ? 2 : undefined,
    hold: script.hold,
    ollamaTimings: {
      total_duration: 150_000_000,
      load_duration: 1_000_000,
      prompt_eval_duration: 2_000_000,
      eval_duration: counts.evalNs ?? 0,
    },
  };
}
