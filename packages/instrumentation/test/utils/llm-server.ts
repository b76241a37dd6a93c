/**
 * The one OpenAI / Ollama wire-format server of the tests: the model simulator of
 * `examples/model-simulator` in its scripted mode (fixed text and token counts; the model name says
 * what happens: `fail-429`, `slow-150`, `wait-30`, `drip-10`, `cut`, `hold`, `reason-3`, `think`,
 * `big-40000`; see its script.ts). The demo and the end-to-end tests run the same server in its
 * random mode.
 */
import {
  ModelSimulator,
  SCRIPT_HEADER,
  SCRIPTED_OLLAMA_COUNTERS,
  SCRIPTED_OPENAI_USAGE,
  SCRIPTED_REASONING_TOKENS,
  SCRIPTED_REQUEST_ID,
  SCRIPTED_TEXT_PIECES,
  scriptedResponseModel,
} from '../../../../examples/model-simulator/src/index.js';

export type { ModelSimulator as LlmTestServer } from '../../../../examples/model-simulator/src/index.js';

/** A scripted simulator (not started). */
export function llmTestServer(): ModelSimulator {
  return new ModelSimulator({}, { scripted: true });
}

/** Token counts of the scripted OpenAI answers. */
export const OPENAI_USAGE = SCRIPTED_OPENAI_USAGE;
/** Counters of the scripted Ollama answers. */
export const OLLAMA_COUNTERS = SCRIPTED_OLLAMA_COUNTERS;
/** The text of every scripted answer, piece by piece. */
export const TEXT_PIECES = SCRIPTED_TEXT_PIECES;
/** The `x-request-id` of scripted OpenAI answers. */
export const REQUEST_ID = SCRIPTED_REQUEST_ID;
/** The model a scripted answer names for a request model. */
export const responseModelOf = scriptedResponseModel;
/** The request header that scripts a call besides its model name (e.g. `cached-4`). */
export const SCRIPT = SCRIPT_HEADER;
/** Reasoning tokens a scripted o-series model reports. */
export const REASONING_TOKENS = SCRIPTED_REASONING_TOKENS;
