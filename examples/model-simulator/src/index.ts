export { DEFAULT_PROFILE, type SimulationProfile } from './profile.js';
export { Random } from './random.js';
export { ModelSimulator, type SimulatorLedger } from './server.js';
