/**
 * `node --import @llm-otel/node/register app.js` (or `--require` for CommonJS apps): sets up metrics
 * from the `OTEL_*` variables before the app's code runs, and flushes when the event loop empties.
 */
import { register } from './register.js';

const handle = register();
process.once('beforeExit', () => {
  void handle.shutdown();
});
