import { performance } from 'node:perf_hooks';
import { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString, reportInternalError } from '../shared/safe.js';
import { vercelInput, vercelOutput } from './content.js';
import { endpointOfUrl } from './endpoint.js';
import { failureOf } from './error-type.js';
import { providerNameOf } from './provider.js';
import { readEmbeddingUsage, readLanguageModelUsage } from './usage.js';

/** Calls in flight at once; past this the oldest is dropped (recorded as `incomplete`). */
const MAX_IN_FLIGHT = 10_000;

interface OpenCall {
  /** The AI SDK operation's `callId` (one per generateText, embedMany, ...). */
  operation: string;
  meter: CallMeter;
}

const COMPONENT = 'vercel-ai';

/**
 * A telemetry integration of the AI SDK (its `Telemetry` interface) that measures every provider
 * model call: `onLanguageModelCallStart`/`End` (generateText, streamText, one per step),
 * `onObjectStepStart`/`End` (generateObject, streamObject) and `onEmbedStart`/`End` (embed,
 * embedMany: one per `doEmbed`). Each model call gets one {@link CallMeter}; a call that never
 * ends (the step or the operation failed) is recorded with the operation's error. Every callback
 * is synchronous, catches its own failures and returns nothing, so the SDK never waits on us.
 */
export class VercelAiMeters {
  private readonly open = new Map<string, OpenCall>();
  /** Whether calls are measured (the instrumentation is enabled). */
  active = false;

  onLanguageModelCallStart = (event: unknown): void => this.start(event, 'callId', 'chat', true);
  onLanguageModelCallEnd = (event: unknown): void => this.endLanguageModelCall(event, 'callId', true);
  onObjectStepStart = (event: unknown): void => this.start(event, 'callId', 'chat');
  onObjectStepEnd = (event: unknown): void => this.endLanguageModelCall(event, 'callId');
  onEmbedStart = (event: unknown): void => this.start(event, 'embedCallId', 'embeddings');
  onEmbedEnd = (event: unknown): void => this.endEmbedCall(event);
  onStepError = (event: unknown): void => this.failOperation(event, failureOf(field(event, 'error')));
  onError = (event: unknown): void => this.failOperation(event, failureOf(field(event, 'error')));
  onAbort = (event: unknown): void => this.failOperation(event, 'aborted');
  onEnd = (event: unknown): void => this.failOperation(event, 'incomplete');

  /** Number of model calls started and not yet recorded (for tests and leak checks). */
  get inFlight(): number {
    return this.open.size;
  }

  /** `content`: the event carries the model call's prompt (language model calls; not object steps). */
  private start(event: unknown, key: string, operation: string, content = false): void {
    if (!this.active) return;
    try {
      const id = nonEmptyString(field(event, key));
      const callId = nonEmptyString(field(event, 'callId'));
      if (id === undefined || callId === undefined) return;
      // A streamed step that is already open (the SDK repeats no start): keep the first meter.
      if (this.open.has(id)) return;
      if (this.open.size >= MAX_IN_FLIGHT) this.dropOldest();
      const meter = new CallMeter(
        {
          provider: providerNameOf(field(event, 'provider')),
          operation,
          model: nonEmptyString(field(event, 'modelId')),
        },
        undefined,
        // The prompt is the event's, not a request object (evaluators get no request, as before).
        content ? () => vercelInput(event) : undefined,
      );
      this.open.set(id, { operation: callId, meter });
    } catch (error) {
      reportInternalError(COMPONENT, error);
    }
  }

  /** `content`: the event carries the model call's output content parts (language model calls). */
  private endLanguageModelCall(event: unknown, key: string, content = false): void {
    try {
      const call = this.take(event, key);
      if (call === undefined) return;
      const { meter } = call;
      readLanguageModelUsage(meter, field(event, 'usage'));
      // generateObject's step event nests the response metadata; the model call's event has it flat.
      const response = field(event, 'response');
      meter.responseModel = nonEmptyString(field(response, 'modelId')) ?? nonEmptyString(field(event, 'modelId'));
      meter.responseId = nonEmptyString(field(event, 'responseId')) ?? nonEmptyString(field(response, 'id'));
      const finish = nonEmptyString(field(event, 'finishReason'));
      if (finish !== undefined) meter.finishReasons = [finish];
      const url = field(field(event, 'request'), 'url');
      Object.assign(meter.attributes, endpointOfUrl(url));
      this.noteFirstOutput(meter, event);
      if (content) meter.captureOutput(event, vercelOutput);
      meter.finish();
    } catch (error) {
      reportInternalError(COMPONENT, error);
    }
  }

  /**
   * Streams: the SDK measures the time to the first output and the whole response itself
   * (`performance.timeToFirstOutputMs`, `responseTimeMs`); the first output is placed that long
   * before now, so that the meter derives TTFT and the time per output token. A plain call has no
   * first-output time.
   */
  private noteFirstOutput(meter: CallMeter, event: unknown): void {
    const perf = field(event, 'performance');
    const ttft = field(perf, 'timeToFirstOutputMs') ?? field(event, 'msToFirstChunk');
    if (typeof ttft !== 'number' || !Number.isFinite(ttft) || ttft < 0) return;
    const total = field(perf, 'responseTimeMs');
    const now = performance.now();
    meter.streamed = true;
    meter.firstTokenAt =
      typeof total === 'number' && Number.isFinite(total) && total >= ttft ? now - (total - ttft) : now;
  }

  private endEmbedCall(event: unknown): void {
    try {
      const call = this.take(event, 'embedCallId');
      if (call === undefined) return;
      readEmbeddingUsage(call.meter, field(event, 'usage'));
      call.meter.responseModel = nonEmptyString(field(event, 'modelId'));
      call.meter.finish();
    } catch (error) {
      reportInternalError(COMPONENT, error);
    }
  }

  /** Records every open model call of the event's operation as failed with `error`. */
  private failOperation(event: unknown, error: unknown): void {
    try {
      if (this.open.size === 0) return;
      const callId = nonEmptyString(field(event, 'callId'));
      if (callId === undefined) return;
      for (const [id, call] of this.open) {
        if (call.operation !== callId) continue;
        this.open.delete(id);
        call.meter.finish(error);
      }
    } catch (caught) {
      reportInternalError(COMPONENT, caught);
    }
  }

  private take(event: unknown, key: string): OpenCall | undefined {
    const id = nonEmptyString(field(event, key));
    if (id === undefined) return undefined;
    const call = this.open.get(id);
    if (call !== undefined) this.open.delete(id);
    return call;
  }

  private dropOldest(): void {
    const first = this.open.entries().next();
    if (first.done === true) return;
    const [id, call] = first.value;
    this.open.delete(id);
    call.meter.finish('incomplete');
  }

  /** Records every open call as `incomplete` (on disable) so that none is left behind. */
  closeAll(): void {
    for (const call of this.open.values()) call.meter.finish('incomplete');
    this.open.clear();
  }
}
