import type { Random } from './random.js';

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
}

export const DEFAULT_PROFILE: SimulationProfile = {
  firstTokenMedianMs: 120,
  perTokenMedianMs: 4,
  promptTokensMedian: 180,
  completionTokensMedian: 60,
  rateLimitRate: 0.04,
  serverErrorRate: 0.03,
  seed: 7,
};

/** What one simulated answer looks like: sizes and timing. */
export interface Draw {
  promptTokens: number;
  completionTokens: number;
  firstTokenMs: number;
  perTokenMs: number;
}

export function drawAnswer(random: Random, p: SimulationProfile, extraDelayMs: number): Draw {
  return {
    promptTokens: random.count(p.promptTokensMedian, 0.6, 1, 100_000),
    completionTokens: random.count(p.completionTokensMedian, 0.7, 2, 4096),
    firstTokenMs: random.logNormal(p.firstTokenMedianMs, 0.5) + extraDelayMs,
    perTokenMs: random.logNormal(p.perTokenMedianMs, 0.3),
  };
}

/** The tokens of a completion: words, so that text and token counts agree. */
export function words(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? 'Word' : ' word'));
}
