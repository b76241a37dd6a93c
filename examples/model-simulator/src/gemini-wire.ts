import type { ServerResponse } from 'node:http';
import { type Answer, sleep } from './answer.js';

/**
 * The Gemini API wire format (`@google/genai`, Gemini API and Vertex AI paths):
 * `POST .../models/{model}:generateContent` (JSON), `:streamGenerateContent?alt=sse` (server-sent
 * events, one `GenerateContentResponse` per event, every one with `usageMetadata`: the prompt side
 * at once, the candidates and thoughts counts complete in the last one, with the finish reason),
 * `:embedContent` and `:batchEmbedContents` (which the client uses for `models.embedContent`), and
 * Google's error bodies. Formats an {@link Answer}: its `completionTokens` count every output token,
 * so the wire's `candidatesTokenCount` leaves out the `reasoningTokens`, which come as
 * `thoughtsTokenCount`, and `promptTokenCount` includes `cachedContentTokenCount`, as Gemini counts.
 */

/** The route of a Gemini path: the model (URL-decoded) and the method after the colon. */
export interface GeminiRoute {
  model: string;
  method: 'generateContent' | 'streamGenerateContent' | 'embedContent' | 'batchEmbedContents';
}

const METHODS = new Set<string>(['generateContent', 'streamGenerateContent', 'embedContent', 'batchEmbedContents']);

/**
 * Reads `/v1beta/models/gemini-2.5-flash:generateContent` (or a Vertex AI path ending in
 * `/publishers/google/models/{model}:{method}`): the text after the last `/models/` up to the last
 * colon. Linear string searches, no regular expression.
 */
export function geminiRoute(path: string): GeminiRoute | undefined {
  const at = path.lastIndexOf('/models/');
  const colon = path.lastIndexOf(':');
  if (at < 0 || colon <= at + 8) return undefined;
  const method = path.slice(colon + 1);
  if (!METHODS.has(method)) return undefined;
  let model: string;
  try {
    model = decodeURIComponent(path.slice(at + 8, colon));
  } catch {
    return undefined;
  }
  return { model, method: method as GeminiRoute['method'] };
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The error object of a status, as in a Google error body or a stream's error event. */
export function geminiErrorObject(status: number): { code: number; message: string; status: string } {
  return { code: status, message: `simulated ${status}`, status: STATUS_NAMES[status] ?? 'UNKNOWN' };
}

/** Writes a Google error body (`{"error":{"code":429,"message":...,"status":"RESOURCE_EXHAUSTED"}}`). */
export function geminiError(res: ServerResponse, status: number, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...extra });
  res.end(JSON.stringify({ error: geminiErrorObject(status) }));
}

/** The complete `usageMetadata` of an answer, in Gemini's counting. */
function usageMetadata(a: Answer): Record<string, number> {
  const thoughts = a.reasoningTokens ?? 0;
  const candidates = Math.max(0, a.completionTokens - thoughts);
  return {
    promptTokenCount: a.promptTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: a.promptTokens + a.completionTokens,
    ...(a.cachedTokens ? { cachedContentTokenCount: a.cachedTokens } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
}

function candidate(parts: unknown[], finishReason?: string) {
  return { content: { parts, role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 };
}

/**
 * The function the model calls, as a model that uses its tools would: the first function a request
 * declares (`tools[].functionDeclarations[].name`) while the conversation's last turn has no
 * `functionResponse` yet; once it has one, the model answers in text. Lets a client's automatic
 * function calling make its rounds (bounded: one call per request; at most the first 8 tools read).
 */
export function functionToCall(body: Record<string, unknown>): string | undefined {
  const contents = Array.isArray(body.contents) ? body.contents : [];
  const lastParts = (contents[contents.length - 1] as { parts?: unknown } | undefined)?.parts;
  if (Array.isArray(lastParts) && lastParts.some((p) => (p as { functionResponse?: unknown })?.functionResponse))
    return undefined;
  const tools = Array.isArray(body.tools) ? body.tools.slice(0, 8) : [];
  for (const tool of tools) {
    const declarations = (tool as { functionDeclarations?: unknown })?.functionDeclarations;
    const name = Array.isArray(declarations) ? (declarations[0] as { name?: unknown } | undefined)?.name : undefined;
    if (typeof name === 'string' && name.length > 0) return name;
  }
  return undefined;
}

function write(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => res.write(data, () => resolve()));
}

/**
 * `:generateContent` (JSON) and `:streamGenerateContent` (SSE) for `route.model`: the answer's text,
 * a thought part first when it has `thinking`, the finish reason `STOP`, `modelVersion` (the model)
 * and `responseId` (the answer's id); a JSON answer calls the request's first declared function
 * instead of the text while the conversation has not answered one ({@link functionToCall}). A stream honours the answer's timing, cut (the connection is
 * destroyed after `cutAfterChunks` events), hold (the connection stays open after the last event)
 * and `streamError` (an error event with code 503 after the first text event).
 */
export async function generateContent(
  res: ServerResponse,
  route: GeminiRoute,
  body: Record<string, unknown>,
  a: Answer,
): Promise<void> {
  const thought = a.thinking === undefined ? [] : [{ text: a.thinking, thought: true }];
  const call = functionToCall(body);
  const common = { modelVersion: route.model, responseId: a.id };
  const headers = { 'content-type': 'application/json; charset=UTF-8', ...a.headers };
  if (route.method !== 'streamGenerateContent') {
    await sleep(a.bodyDelayMs);
    res.writeHead(200, headers);
    res.end(
      JSON.stringify({
        candidates: [
          candidate(
            [...thought, call ? { functionCall: { name: call, args: {} } } : { text: a.pieces.join('') }],
            'STOP',
          ),
        ],
        usageMetadata: usageMetadata(a),
        ...common,
      }),
    );
    return;
  }
  // Every event has the prompt side of the usage; the last one the complete counts.
  const partial = { promptTokenCount: a.promptTokens, totalTokenCount: a.promptTokens };
  const events: unknown[] = [];
  if (thought.length > 0) events.push({ candidates: [candidate(thought)], usageMetadata: partial, ...common });
  a.pieces.forEach((piece, i) => {
    const last = i === a.pieces.length - 1;
    events.push({
      candidates: [candidate([{ text: piece }], last ? 'STOP' : undefined)],
      usageMetadata: last ? usageMetadata(a) : partial,
      ...common,
    });
    if (i === 0 && a.streamError) events.push({ error: geminiErrorObject(503) });
  });

  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  await sleep(a.firstChunkDelayMs);
  let sent = 0;
  for (const event of events) {
    if (res.destroyed || res.socket === null || res.socket.destroyed) return;
    if (sent === a.cutAfterChunks) {
      res.socket.destroy();
      return;
    }
    if (sent > 0) await sleep(a.chunkDelayMs);
    await write(res, `data: ${JSON.stringify(event)}\r\n\r\n`);
    sent++;
    if ((event as { error?: unknown }).error !== undefined) break;
  }
  if (a.hold) return; // the connection stays open until the client closes it
  res.end();
}

/**
 * `:embedContent` (one `embedding`) and `:batchEmbedContents` (one per request of `requests`), with
 * the prompt tokens as `usageMetadata.promptTokenCount`.
 */
export async function embedContent(
  res: ServerResponse,
  route: GeminiRoute,
  body: Record<string, unknown>,
  a: Answer,
): Promise<void> {
  const embedding = { values: [0.25, -0.5, 0.75] };
  const count = Array.isArray(body.requests) ? body.requests.length : 1;
  const usage = { promptTokenCount: a.promptTokens, totalTokenCount: a.promptTokens };
  const payload =
    route.method === 'batchEmbedContents'
      ? { embeddings: Array.from({ length: count }, () => embedding), usageMetadata: usage }
      : { embedding, usageMetadata: usage };
  res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', ...a.headers });
  res.end(JSON.stringify(payload));
}
