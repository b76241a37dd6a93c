// One AsyncLocalStorage test context manager for the packages' tests: core's (see there why it is
// not @opentelemetry/context-async-hooks).
export { TestContextManager } from '../../../core/test/async-context.js';
