import type { ServerResponse } from 'node:http';
import { type Answer, sleep } from './answer.js';

/**
 * The Ollama REST wire format: JSON bodies and NDJSON streams with Ollama's counters (nanoseconds).
 * Formats an {@link Answer}.
 */

const ERRORS: Record<number, string> = {
  404: 'model not found',
  429: 'too many requests',
};

export function ollamaError(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: ERRORS[status] ?? 'llama runner process has terminated' }));
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function write(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => res.write(data, () => resolve()));
}

async function ndjson(res: ServerResponse, a: Answer, lines: unknown[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.flushHeaders();
  await sleep(a.firstChunkDelayMs);
  let sent = 0;
  for (const line of lines) {
    if (res.destroyed || res.socket === null || res.socket.destroyed) return;
    if (sent === a.cutAfterChunks) {
      res.socket.destroy();
      return;
    }
    if (sent > 0) await sleep(a.chunkDelayMs);
    await write(res, `${JSON.stringify(line)}\n`);
    sent++;
  }
  res.end();
}

async function answer(
  res: ServerResponse,
  body: Record<string, unknown>,
  a: Answer,
  piece: (text: string) => Record<string, unknown>,
  thinking: (text: string) => Record<string, unknown>,
): Promise<void> {
  const base = { model: a.model, created_at: new Date(a.created * 1000).toISOString() };
  const final = {
    ...base,
    ...piece(''),
    done: true,
    done_reason: 'stop',
    ...a.ollamaTimings,
    prompt_eval_count: a.promptTokens,
    eval_count: a.completionTokens,
  };
  // Ollama streams unless the request says `stream: false`.
  if (body.stream === false) {
    await sleep(a.bodyDelayMs);
    json(res, { ...final, ...piece(a.pieces.join('')) });
    return;
  }
  await ndjson(res, a, [
    ...(a.thinking === undefined ? [] : [{ ...base, ...thinking(a.thinking), done: false }]),
    ...a.pieces.map((text) => ({ ...base, ...piece(text), done: false })),
    final,
  ]);
}

export const chat = (res: ServerResponse, body: Record<string, unknown>, a: Answer) =>
  answer(
    res,
    body,
    a,
    (content) => ({ message: { role: 'assistant', content } }),
    (text) => ({ message: { role: 'assistant', content: '', thinking: text } }),
  );

export const generate = (res: ServerResponse, body: Record<string, unknown>, a: Answer) =>
  answer(
    res,
    body,
    a,
    (text) => ({ response: text }),
    (text) => ({ response: '', thinking: text }),
  );

export async function embed(res: ServerResponse, body: Record<string, unknown>, a: Answer): Promise<void> {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  json(res, {
    model: a.model,
    embeddings: inputs.map(() => [0.25, -0.5, 0.75]),
    total_duration: a.ollamaTimings.total_duration,
    load_duration: a.ollamaTimings.load_duration,
    prompt_eval_count: a.promptTokens,
  });
}

/** The legacy `/api/embeddings` (one prompt, no counters). */
export async function legacyEmbeddings(res: ServerResponse): Promise<void> {
  json(res, { embedding: [0.25, -0.5, 0.75] });
}
