// `node --import @llm-otel/node/register app.js`: installs the ES module loader hook that lets the
// instrumentations patch `openai` and `ollama` when an ES module app imports them, then registers
// metrics from the OTEL_* variables, all before the app's first module loads.
import { register as registerLoaderHook } from 'node:module';

registerLoaderHook('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
await import('./dist/esm/auto-register.js');
