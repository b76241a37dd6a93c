import { coexistenceSuite } from './utils/coexistence.js';

// @opentelemetry/instrumentation-openai patches first; ours wraps over it.
coexistenceSuite(true);
