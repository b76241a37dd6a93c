import type { ServerResponse } from 'node:http';
import { type Draw, words } from './profile.js';

/** The Ollama REST wire format: JSON bodies and NDJSON streams with Ollama's counters (nanoseconds). */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (res: ServerResponse, data: unknown) => res.write(`${JSON.stringify(data)}\n`);

export function ollamaError(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      error:
        status === 429
          ? 'too many requests'
          : status === 404
            ? 'model not found'
            : 'llama runner process has terminated',
    }),
  );
}

function counters(d: Draw) {
  const evalMs = d.perTokenMs * d.completionTokens;
  return {
    done: true,
    done_reason: 'stop',
    total_duration: Math.round((d.firstTokenMs + evalMs) * 1e6),
    load_duration: 1_000_000,
    prompt_eval_count: d.promptTokens,
    prompt_eval_duration: Math.round(d.firstTokenMs * 0.8 * 1e6),
    eval_count: d.completionTokens,
    eval_duration: Math.round(evalMs * 1e6),
  };
}

async function answer(
  res: ServerResponse,
  body: Record<string, unknown>,
  d: Draw,
  piece: (text: string) => Record<string, unknown>,
) {
  const base = () => ({ model: String(body.model), created_at: new Date().toISOString() });
  const tokens = words(d.completionTokens);
  if (body.stream === false) {
    await sleep(d.perTokenMs * (d.completionTokens - 1));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...base(), ...piece(tokens.join('')), ...counters(d) }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (let i = 0; i < tokens.length; i++) {
    if (i > 0) await sleep(d.perTokenMs);
    line(res, { ...base(), ...piece(tokens[i] as string), done: false });
  }
  line(res, { ...base(), ...piece(''), ...counters(d) });
  res.end();
}

export const chat = (res: ServerResponse, body: Record<string, unknown>, d: Draw) =>
  answer(res, body, d, (content) => ({ message: { role: 'assistant', content } }));

export const generate = (res: ServerResponse, body: Record<string, unknown>, d: Draw) =>
  answer(res, body, d, (text) => ({ response: text }));

export async function embed(res: ServerResponse, body: Record<string, unknown>, d: Draw): Promise<void> {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      model: String(body.model),
      embeddings: inputs.map(() => [0.1, -0.2, 0.3, 0.05]),
      total_duration: Math.round(d.firstTokenMs * 1e6),
      load_duration: 1_000_000,
      prompt_eval_count: d.promptTokens,
    }),
  );
}

/** The legacy `/api/embeddings` (one prompt, no counters). */
export async function legacyEmbeddings(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ embedding: [0.1, -0.2, 0.3, 0.05] }));
}
