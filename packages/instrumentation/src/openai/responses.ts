import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString } from '../shared/safe.js';
import type { OpenAIOperation } from './operation.js';

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
  const usage = field(response, 'usage');
  if (typeof usage === 'object' && usage !== null) {
    meter.setUsage(
      field(usage, 'input_tokens'),
      field(usage, 'output_tokens'),
      field(field(usage, 'output_tokens_details'), 'reasoning_tokens'),
    );
  }
  if (field(response, 'status') === 'failed') meter.failure = responsesErrorType(field(response, 'error'));
}

/**
 * The Responses API `responses.create`, plain and streamed (also behind `responses.parse()` and
 * `responses.stream()`). Usage comes from `response.usage` (`input_tokens`, `output_tokens`), in
 * streams from the `response.completed` (or `incomplete`, `failed`) event; the first `*.delta` event
 * is the first token. A response whose status is `failed` counts as an error.
 */
export const responsesCreate: OpenAIOperation = {
  operationName: 'chat',
  component: 'openai.responses.create',
  streamUsage: false,
  readResult: readResponse,
  streamReader: (meter) => (event) => {
    const type = field(event, 'type');
    if (typeof type !== 'string') return true;
    if (type.endsWith('.delta')) {
      // Raw reasoning text (`response.reasoning_text.delta`, from open-weight models) is streamed reasoning.
      meter.markFirstToken(type.startsWith('response.reasoning_text.'));
    } else if (type === 'response.created' || type === 'response.in_progress') {
      readResponse(field(event, 'response'), meter);
    } else if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
      readResponse(field(event, 'response'), meter);
      meter.completed = true;
    } else if (type === 'error') {
      meter.failure = responsesErrorType(event);
    }
    return true;
  },
};
