// One synchronous test context manager for the packages' tests: core's (this package's tests
// depend on core, never the other way).
export { installStackContext, StackContextManager } from '../../../core/test/stack-context.js';
