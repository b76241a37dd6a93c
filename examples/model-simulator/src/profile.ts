import { type Answer, type Operation, words } from './answer.js';
import type { Random } from './random.js';
import { isReasoningModel } from './script.js';

/** How the simulated model behaves. Times are in milliseconds. */
export interface SimulationProfile {
  /** Median time to the first token, drawn log-normally. */
  firstTokenMedianMs: number;
  /** Median time per output token after the first. */
  perTokenMedianMs: number;
  /** Median prompt and completion sizes, in tokens. */
  promptTokensMedian: number;
  completionTokensMedian: number;
  /** Share of requests answered with 429 and with 500. */
  rateLimitRate: number;
  serverErrorRate: number;
  /** Seed of the random draws (a run is repeatable). */
  seed: number;
  /**
   * OpenAI-style rate limits of the simulated account, per minute (see rate-limits.ts); 0 for
   * either sends no rate-limit headers.
   */
  requestsPerMinute: number;
  tokensPerMinute: number;
  /** Share of the prompt reported as cached when the same prompt was seen before (OpenAI wire). */
  cachedShare: number;
  /** Share of the completion reported as reasoning tokens by o-series models (`o1`, `o4-mini`, ...). */
  reasoningShare: number;
  /**
   * How good the answers are: the mean share of on-topic words (`word`) in an answer, the rest being
   * the off-topic `um`; an evaluator scores an answer by that share. Below 1 each answer's share is
   * drawn around it (normal, sd 0.1, clamped to [0, 1]). Default 1: every word on topic, no draw
   * (so the random sequence of a profile without it is unchanged). With `setModelProfile()`, one
   * model can answer worse than another (A/B tests).
   */
  answerQuality: number;
}

export const DEFAULT_PROFILE: SimulationProfile = {
  firstTokenMedianMs: 120,
  perTokenMedianMs: 4,
  promptTokensMedian: 180,
  completionTokensMedian: 60,
  rateLimitRate: 0.04,
  serverErrorRate: 0.03,
  seed: 7,
  requestsPerMinute: 3000,
  tokensPerMinute: 1_000_000,
  cachedShare: 0.5,
  reasoningShare: 0.6,
  answerQuality: 1,
};

/** What one simulated answer looks like: sizes and timing. */
export interface Draw {
  promptTokens: number;
  completionTokens: number;
  firstTokenMs: number;
  perTokenMs: number;
  /** Share of on-topic words of the answer (see {@link SimulationProfile.answerQuality}). */
  onTopicShare: number;
}

export function drawAnswer(random: Random, p: SimulationProfile, extraDelayMs: number): Draw {
  return {
    promptTokens: random.count(p.promptTokensMedian, 0.6, 1, 100_000),
    completionTokens: random.count(p.completionTokensMedian, 0.7, 2, 4096),
    firstTokenMs: random.logNormal(p.firstTokenMedianMs, 0.5) + extraDelayMs,
    perTokenMs: random.logNormal(p.perTokenMedianMs, 0.3),
    // Drawn only when the profile asks for worse answers: other profiles keep their sequences.
    onTopicShare: p.answerQuality >= 1 ? 1 : Math.min(1, Math.max(0, p.answerQuality + 0.1 * random.normal())),
  };
}

/**
 * The answer to one request in the default (random) mode: the drawn sizes and timing; the text is
 * words, so that text and token counts agree; on the OpenAI wire a repeated prompt reports a cached
 * share and an o-series model a reasoning share (`details`). The time to the first token is waited before the
 * headers (by the server), the rest of the generation between chunks or before a plain body.
 */
export function drawnAnswer(
  operation: Operation,
  body: Record<string, unknown>,
  d: Draw,
  details: { repeatedPrompt: boolean; profile: SimulationProfile },
): Answer {
  const now = Date.now();
  const openai = !operation.startsWith('ollama.');
  const generates = openai && operation !== 'embeddings';
  const completionTokens = operation.includes('embed') ? 0 : d.completionTokens;
  return {
    model: openai && operation !== 'embeddings' ? `${String(body.model)}-sim` : String(body.model),
    id: `${ID_PREFIX[operation] ?? 'sim'}${now.toString(36)}`,
    created: Math.floor(now / 1000),
    pieces: words(d.completionTokens, d.onTopicShare),
    promptTokens: d.promptTokens,
    completionTokens,
    // OpenAI reports both details on every generation, 0 when there is nothing to report.
    cachedTokens: generates
      ? details.repeatedPrompt
        ? Math.floor(d.promptTokens * details.profile.cachedShare)
        : 0
      : undefined,
    // Anthropic writes a prompt marked for its cache the first time it sees it (a repeat reads it).
    cacheWriteTokens:
      operation === 'anthropic.messages' && !details.repeatedPrompt && marksCache(body.system)
        ? Math.floor(d.promptTokens * details.profile.cachedShare)
        : undefined,
    // Anthropic reports no reasoning count (thinking is part of output_tokens).
    reasoningTokens:
      generates && !operation.startsWith('anthropic.')
        ? isReasoningModel(body.model)
          ? Math.round(completionTokens * details.profile.reasoningShare)
          : 0
        : undefined,
    firstChunkDelayMs: 0,
    chunkDelayMs: d.perTokenMs,
    bodyDelayMs: operation.includes('embed') ? 0 : d.perTokenMs * (d.completionTokens - 1),
    hold: false,
    ollamaTimings: {
      total_duration: Math.round((d.firstTokenMs + d.perTokenMs * d.completionTokens) * 1e6),
      load_duration: 1_000_000,
      prompt_eval_duration: Math.round(d.firstTokenMs * 0.8 * 1e6),
      eval_duration: Math.round(d.perTokenMs * d.completionTokens * 1e6),
    },
  };
}

/** Whether an Anthropic `system` prompt has a block with `cache_control` (one string search of its JSON). */
function marksCache(system: unknown): boolean {
  return Array.isArray(system) && JSON.stringify(system).includes('"cache_control"');
}

const ID_PREFIX: Partial<Record<Operation, string>> = {
  chat: 'chatcmpl-sim',
  completions: 'cmpl-sim',
  responses: 'resp_sim',
  'anthropic.messages': 'msg_sim',
};
