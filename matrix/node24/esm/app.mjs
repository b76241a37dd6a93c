// The ESM test app for the Node 24 matrix: openai 7 and ollama from this folder.
import { runApp } from '../../../packages/instrumentation/test/fixtures/esm/scenario.mjs';

await runApp((name) => import(name), { openai: 'openai', ollama: 'ollama' });
