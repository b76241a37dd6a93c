// `node --import @llm-otel/node/register app.js`: registers metrics from the OTEL_* variables, then
// installs the ES module loader hook that lets the instrumentations patch `openai`, `ollama` and `@anthropic-ai/sdk`
// when an ES module app imports them (only if one of them is installed, and for their files
// only), all before the app's first module loads. Our own modules load before the hook, unhooked.
import { registerEsmHook } from './dist/esm/esm-hook.js';

await import('./dist/esm/auto-register.js');
registerEsmHook(import.meta.url);
