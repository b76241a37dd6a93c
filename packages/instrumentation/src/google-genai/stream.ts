import type { CallMeter } from '../shared/call-meter.js';
import { callStreamObserver } from '../shared/call-stream-observer.js';
import { ItemBudget, type Parts } from '../shared/messages.js';
import { field } from '../shared/safe.js';
import { StreamText } from '../shared/stream-text.js';
import { watchAsyncIterator } from '../shared/stream-watch.js';
import { geminiStreamOutput, noteStreamedCalls } from './content.js';
import { readGeminiUsage, readResponseDetails } from './usage.js';

/** What the first candidate's parts of a chunk carry: content, thought text only, or nothing. */
function chunkContent(chunk: unknown): 'content' | 'reasoning' | undefined {
  const parts = field(field(field(field(chunk, 'candidates'), '0'), 'content'), 'parts');
  if (!Array.isArray(parts)) return undefined;
  let kind: 'reasoning' | undefined;
  for (const part of parts) {
    const text = field(part, 'text');
    if (typeof text === 'string' && text.length > 0) {
      if (field(part, 'thought') !== true) return 'content';
      kind = 'reasoning';
    } else if (field(part, 'functionCall') != null || field(part, 'inlineData') != null) {
      return 'content';
    }
  }
  return kind;
}

/**
 * Reads the chunks (`GenerateContentResponse`s) of a streamed call. Per chunk it does the least it
 * can: until the first token, whether the chunk carries text (a thought is reasoning), a function
 * call or inline data; the last chunk is kept. Every chunk has a `usageMetadata`, complete in the
 * last one: the usage, model, id and finish reasons are read once, from the last chunk, in
 * `settle()`. A candidate's finish reason completes the answer.
 */
export class GeminiChunkReader {
  private last: unknown;
  private readonly text: StreamText | undefined;
  /** The function calls streamed, for the output message: kept only while content is captured. */
  private readonly calls: { parts: Parts; budget: ItemBudget } | undefined;

  constructor(
    private readonly meter: CallMeter,
    captureText: boolean,
  ) {
    this.text = captureText ? new StreamText() : undefined;
    this.calls = meter.capturesContent ? { parts: [], budget: new ItemBudget() } : undefined;
  }

  read(chunk: unknown): boolean {
    const meter = this.meter;
    this.last = chunk;
    if (meter.firstTokenAt === undefined) {
      const kind = chunkContent(chunk);
      if (kind !== undefined) meter.markFirstToken(kind === 'reasoning');
    }
    const candidate = field(field(chunk, 'candidates'), '0');
    if (field(candidate, 'finishReason') != null) meter.completed = true;
    if (this.text !== undefined) {
      const parts = field(field(candidate, 'content'), 'parts');
      if (Array.isArray(parts))
        for (const part of parts) if (field(part, 'thought') !== true) this.text.append(field(part, 'text'));
      if (this.calls !== undefined) noteStreamedCalls(parts, this.calls.parts, this.calls.budget);
    }
    return true;
  }

  settle(): void {
    const last = this.last;
    if (last === undefined) return;
    readResponseDetails(last, this.meter);
    readGeminiUsage(field(last, 'usageMetadata'), this.meter);
    if (this.text === undefined) return;
    const text = this.text.value;
    this.meter.setStreamText(text);
    const calls = this.calls?.parts ?? [];
    const reason = field(field(field(last, 'candidates'), '0'), 'finishReason');
    this.meter.captureOutput(text, () => geminiStreamOutput(text, calls, reason));
  }
}

type IteratorMethod = (...args: unknown[]) => Promise<IteratorResult<unknown>>;

/** Whether a resolved value is an async iterator (the async generator the stream methods resolve to). */
export function isAsyncIterator(value: unknown): boolean {
  const v = value as { next?: unknown; [Symbol.asyncIterator]?: unknown } | null | undefined;
  return (
    typeof v === 'object' && v !== null && typeof v.next === 'function' && typeof v[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Measures the async generator of a streamed call in place: the app (or the client's continuation
 * and function-calling loops, which iterate it) keeps the very object, and its `next`, `return` and
 * `throw` are replaced on that object by the shared stream helper's, which call the original ones.
 *
 * The call is recorded once: at the end (`aborted` if `config.abortSignal` aborted before a finish
 * reason came), on an error (an `ApiError` from an error event, by its status; an abort; else
 * `stream_error`), when the reader stops early (`aborted` unless a finish reason was seen), or when
 * the request's `abortSignal` aborts while nobody reads.
 */
export function instrumentGeminiStream(
  generator: unknown,
  meter: CallMeter,
  reader: GeminiChunkReader,
  signal: unknown,
  component: string,
): void {
  const g = generator as Record<'next' | 'return' | 'throw', IteratorMethod | undefined>;
  const next = g.next;
  if (typeof next !== 'function') return;
  meter.streamed = true;
  const original = { next, return: g.return, throw: g.throw };
  const observer = callStreamObserver(meter, reader, signal, component);
  const source: AsyncIterator<unknown> = {
    // No rest parameter and spread on the per-chunk path (an array and V8's generic call each time).
    next: (value?: unknown) => (value === undefined ? next.call(generator) : next.call(generator, value)),
    ...(typeof original.return === 'function'
      ? { return: (...args: unknown[]) => (original.return as IteratorMethod).apply(generator, args) }
      : {}),
    ...(typeof original.throw === 'function'
      ? { throw: (...args: unknown[]) => (original.throw as IteratorMethod).apply(generator, args) }
      : {}),
  };
  const watched = watchAsyncIterator(source, observer, component);
  for (const key of ['next', 'return', 'throw'] as const) {
    if (typeof original[key] !== 'function') continue;
    const method = watched[key] as IteratorMethod;
    // As enumerable as the method it replaces (the client's generators have them as own properties).
    const own = Object.getOwnPropertyDescriptor(generator, key);
    Object.defineProperty(generator, key, {
      value:
        key === 'next'
          ? (value?: unknown) => (value === undefined ? method.call(watched) : method.call(watched, value))
          : (...args: unknown[]) => method.apply(watched, args),
      writable: true,
      configurable: true,
      enumerable: own?.enumerable ?? false,
    });
  }
}
