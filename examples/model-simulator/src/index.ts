export type { Answer, Operation } from './answer.js';
export { anthropicErrorObject } from './anthropic-wire.js';
export { DEFAULT_PROFILE, type SimulationProfile } from './profile.js';
export { Random } from './random.js';
export {
  formatGoDuration,
  formatRfc3339,
  RATE_LIMIT_WINDOW_MS,
  type RateLimitOutcome,
  type RateLimitSettings,
  RateLimitWindows,
} from './rate-limits.js';
export {
  isReasoningModel,
  parseScript,
  SCRIPT_HEADER,
  SCRIPTED_ANTHROPIC_USAGE,
  SCRIPTED_OLLAMA_COUNTERS,
  SCRIPTED_OPENAI_USAGE,
  SCRIPTED_REASONING_TOKENS,
  SCRIPTED_REQUEST_ID,
  SCRIPTED_TEXT_PIECES,
  type Script,
  scriptedResponseModel,
} from './script.js';
export {
  ModelSimulator,
  type ReceivedRequest,
  SCRIPTED_RATE_LIMITS,
  type SimulatorLedger,
  type SimulatorOptions,
} from './server.js';
