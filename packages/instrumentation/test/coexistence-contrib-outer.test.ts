import { coexistenceSuite } from './utils/coexistence.js';

// Ours patches first; @opentelemetry/instrumentation-openai wraps over it.
coexistenceSuite(false);
