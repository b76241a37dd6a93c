import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString } from '../shared/safe.js';
import { StreamText } from '../shared/stream-text.js';
import { responsesInput, responsesOutput } from './content.js';
import type { OpenAIOperation } from './operation.js';
import { readResponseId } from './response-details.js';
import type { ChunkReader } from './stream.js';
import { readOpenAIUsage } from './usage.js';

/** `error.type` of a Responses API `error` object (`{ code, message }`) of a failed response. */
export function responsesErrorType(error: unknown): string {
  const code = String(field(error, 'code') ?? '');
  if (code.includes('rate_limit')) return 'rate_limit';
  if (code.includes('timeout')) return 'timeout';
  if (code === 'server_error') return 'server_error';
  if (code.startsWith('invalid') || code.includes('policy')) return 'invalid_request';
  return '_OTHER';
}

function readResponse(response: unknown, meter: CallMeter): void {
  const model = nonEmptyString(field(response, 'model'));
  if (model !== undefined) meter.responseModel = model;
  readOpenAIUsage(field(response, 'usage'), meter);
  readResponseId(response, meter);
  if (field(response, 'status') === 'failed') meter.failure = responsesErrorType(field(response, 'error'));
}

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Reads the events of a streamed response. Per event it only looks for the first `*.delta` event
 * (until found; the `response.created` before it gives the model) and keeps the last event; the
 * terminal event (`response.completed`, `incomplete`, `failed`: usage, status) or an `error` event is
 * read from the last event, once, in `settle()`.
 */
class ResponsesStreamReader implements ChunkReader {
  private last: unknown;
  private readonly text: StreamText | undefined;

  constructor(
    private readonly meter: CallMeter,
    captureText: boolean,
  ) {
    this.text = captureText ? new StreamText() : undefined;
  }

  read(event: unknown): boolean {
    if (this.meter.firstTokenAt === undefined) this.lookForFirstToken(event);
    this.last = event;
    if (this.text !== undefined && field(event, 'type') === 'response.output_text.delta') {
      this.text.append(field(event, 'delta'));
    }
    return true;
  }

  settle(): void {
    const last = this.last;
    const type = field(last, 'type');
    if (typeof type === 'string' && TERMINAL_EVENTS.has(type)) {
      readResponse(field(last, 'response'), this.meter);
      // The terminal event holds the whole response: its output is fuller than the assembled text.
      this.meter.captureOutput(field(last, 'response'), responsesOutput);
      this.meter.completed = true;
    } else if (type === 'error') {
      this.meter.failure = responsesErrorType(last);
    }
    if (this.text !== undefined) this.meter.setStreamText(this.text.value);
  }

  usagePending(): boolean {
    return false;
  }

  private lookForFirstToken(event: unknown): void {
    const type = field(event, 'type');
    if (typeof type !== 'string') return;
    if (type.endsWith('.delta')) {
      // Raw reasoning text (`response.reasoning_text.delta`, from open-weight models) is streamed reasoning.
      this.meter.markFirstToken(type.startsWith('response.reasoning_text.'));
    } else if (type === 'response.created' || type === 'response.in_progress') {
      readResponse(field(event, 'response'), this.meter);
    }
  }
}

/**
 * The Responses API `responses.create`, plain and streamed (also behind `responses.parse()` and
 * `responses.stream()`). Usage comes from `response.usage` (`input_tokens`, `output_tokens` and
 * their `*_details`), in streams from the `response.completed` (or `incomplete`, `failed`) event;
 * the first `*.delta` event is the first token. A response whose status is `failed` counts as an error.
 */
export const responsesCreate: OpenAIOperation = {
  operationName: 'chat',
  component: 'openai.responses.create',
  streamUsage: false,
  readResult: readResponse,
  streamReader: (meter, options) => new ResponsesStreamReader(meter, options.captureText),
  inputMessages: responsesInput,
  outputMessages: responsesOutput,
};
