export type { Answer, Operation } from './answer.js';
export { DEFAULT_PROFILE, type SimulationProfile } from './profile.js';
export { Random } from './random.js';
export {
  parseScript,
  SCRIPTED_OLLAMA_COUNTERS,
  SCRIPTED_OPENAI_USAGE,
  SCRIPTED_REQUEST_ID,
  SCRIPTED_TEXT_PIECES,
  type Script,
  scriptedResponseModel,
} from './script.js';
export { ModelSimulator, type ReceivedRequest, type SimulatorLedger, type SimulatorOptions } from './server.js';
