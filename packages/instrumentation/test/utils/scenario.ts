/**
 * How the fake server answers a request, read from the model name so that every client can ask for
 * it without custom headers: `gpt-test+slow-150+drip-20` answers after 150 ms, with 20 ms between
 * stream chunks. Parts: `fail-<status>` (error body with that status), `slow-<ms>` (delay before the
 * headers: a slow first byte), `wait-<ms>` (delay after the headers, before the first chunk),
 * `drip-<ms>` (delay between chunks), `cut` (stream cut mid-way: the socket is destroyed after two
 * chunks), `reason-<n>` (the usage reports n of the output tokens as reasoning tokens), `think`
 * (the stream carries reasoning text before its content: `reasoning_content`, Ollama's `thinking`),
 * `hold` (an OpenAI stream stops after its finish chunk, without the usage chunk and `[DONE]`: the
 * connection stays open until the client closes it), `big-<n>` (the streamed text starts with a piece of n
 * characters).
 */
export interface Scenario {
  failStatus?: number;
  headersDelayMs: number;
  firstChunkDelayMs: number;
  chunkDelayMs: number;
  cut: boolean;
  reasoningTokens?: number;
  think: boolean;
  hold: boolean;
  bigText?: number;
}

export function scenarioOf(model: unknown): Scenario {
  const scenario: Scenario = {
    headersDelayMs: 0,
    firstChunkDelayMs: 0,
    chunkDelayMs: 0,
    cut: false,
    think: false,
    hold: false,
  };
  if (typeof model !== 'string') return scenario;
  for (const part of model.split('+')) {
    const [name, value] = part.split('-');
    const n = Number(value);
    if (name === 'fail') scenario.failStatus = n;
    else if (name === 'slow') scenario.headersDelayMs = n;
    else if (name === 'wait') scenario.firstChunkDelayMs = n;
    else if (name === 'drip') scenario.chunkDelayMs = n;
    else if (name === 'cut') scenario.cut = true;
    else if (name === 'reason') scenario.reasoningTokens = n;
    else if (name === 'think') scenario.think = true;
    else if (name === 'hold') scenario.hold = true;
    else if (name === 'big') scenario.bigText = n;
  }
  return scenario;
}

/** The text pieces a stream sends: TEXT_PIECES, after a big one when the scenario asks. */
export function textPieces(scenario: Scenario, pieces: readonly string[]): string[] {
  return scenario.bigText === undefined ? [...pieces] : ['a'.repeat(scenario.bigText), ...pieces];
}

/** The model the fake server says answered: the request model plus a version suffix. */
export function responseModelOf(model: unknown): string {
  return `${String(model)}-2024-07-18`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
