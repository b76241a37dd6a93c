import type { IncomingMessage, ServerResponse } from 'node:http';
import { TEXT_PIECES } from './openai-wire.js';
import type { Scenario } from './scenario.js';
import { responseModelOf, sleep, textPieces } from './scenario.js';

/** Counters the fake Ollama server reports (durations in nanoseconds, as Ollama sends them). */
export const OLLAMA_COUNTERS = {
  chat: { prompt_eval_count: 21, eval_count: 6, eval_duration: 60_000_000 },
  generate: { prompt_eval_count: 19, eval_count: 8, eval_duration: 40_000_000 },
  embed: { prompt_eval_count: 3 },
} as const;

const TIMINGS = { total_duration: 150_000_000, load_duration: 1_000_000, prompt_eval_duration: 2_000_000 };

async function ndjson(res: ServerResponse, req: IncomingMessage, scenario: Scenario, lines: unknown[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.flushHeaders();
  if (scenario.firstChunkDelayMs > 0) await sleep(scenario.firstChunkDelayMs);
  let sent = 0;
  for (const line of lines) {
    if (res.socket === null || res.socket.destroyed) return;
    if (scenario.cut && sent === 2) {
      await sleep(20); // let the two chunks reach the client first
      res.socket?.destroy();
      return;
    }
    if (sent > 0 && scenario.chunkDelayMs > 0) await sleep(scenario.chunkDelayMs);
    res.write(`${JSON.stringify(line)}\n`);
    sent++;
  }
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Answers one request of the Ollama REST API (under `/api`); false for an unknown path. */
export async function handleOllama(
  path: string,
  body: Record<string, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  scenario: Scenario,
): Promise<boolean> {
  if (!path.startsWith('/api/')) return false;
  if (scenario.failStatus !== undefined) {
    json(res, scenario.failStatus, { error: `simulated ${scenario.failStatus}` });
    return true;
  }
  const model = responseModelOf(body.model);
  const created_at = '2024-07-18T12:00:00.000Z';
  if (path === '/api/chat' || path === '/api/generate') {
    const isChat = path === '/api/chat';
    const counters = isChat ? OLLAMA_COUNTERS.chat : OLLAMA_COUNTERS.generate;
    const piece = (text: string) => (isChat ? { message: { role: 'assistant', content: text } } : { response: text });
    const final = { model, created_at, ...piece(''), done: true, done_reason: 'stop', ...TIMINGS, ...counters };
    if (body.stream !== true) {
      json(res, 200, { ...final, ...piece(TEXT_PIECES.join('')) });
      return true;
    }
    const thinking = isChat
      ? { message: { role: 'assistant', content: '', thinking: 'Hmm' } }
      : { response: '', thinking: 'Hmm' };
    const lines = [
      ...(scenario.think ? [{ model, created_at, ...thinking, done: false }] : []),
      ...textPieces(scenario, TEXT_PIECES).map((text) => ({ model, created_at, ...piece(text), done: false })),
      final,
    ];
    await ndjson(res, req, scenario, lines);
    return true;
  }
  if (path === '/api/embed') {
    json(res, 200, { model, embeddings: [[0.25, -0.5, 0.75]], ...TIMINGS, ...OLLAMA_COUNTERS.embed });
    return true;
  }
  if (path === '/api/embeddings') {
    json(res, 200, { embedding: [0.25, -0.5, 0.75] });
    return true;
  }
  return false;
}
