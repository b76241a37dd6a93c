import { type GenAiInputMessage, type GenAiOutputMessage, getEvaluators } from '@llm-otel/core';
import type { OpenAIInstrumentationConfig } from '../config.js';
import { observeApiPromise } from '../shared/api-promise.js';
import { CallMeter } from '../shared/call-meter.js';
import type { AnyMethod } from '../shared/patch-registry.js';
import { field, nonEmptyString, safely, tokenCount } from '../shared/safe.js';
import { requestSampling } from '../shared/sampling.js';
import type { ChoiceStreamOptions } from './choice-stream.js';
import { clientEndpoint, type OpenAIEndpoint } from './client-endpoint.js';
import { type ChunkReader, instrumentOpenAIStream, isOpenAIStream } from './stream.js';
import { withStreamUsage } from './stream-usage.js';

/** How one patched openai method is measured. One module per method defines one of these. */
export interface OpenAIOperation {
  /** `gen_ai.operation.name`. */
  readonly operationName: string;
  /** Name used when reporting our own exceptions, e.g. `openai.chat.completions.create`. */
  readonly component: string;
  /** Whether streamed calls may get `stream_options.include_usage` added. */
  readonly streamUsage: boolean;
  /** Reads a non-streamed result: response model and usage. */
  readResult(result: unknown, meter: CallMeter): void;
  /** The reader of a streamed call's chunks. */
  streamReader(meter: CallMeter, options: ChoiceStreamOptions): ChunkReader;
  /** The request's messages, for the opt-in content capture (called only while it is on). */
  readonly inputMessages?: (body: unknown) => GenAiInputMessage[];
  /** A non-streamed result's messages, for the opt-in content capture (called only while it is on). */
  readonly outputMessages?: (result: unknown) => GenAiOutputMessage[];
}

interface ConfigSource {
  getConfig(): OpenAIInstrumentationConfig;
}

interface Call {
  meter: CallMeter;
  /** Provider and server, for the rate-limit gauges. */
  endpoint: OpenAIEndpoint;
  args: unknown[];
  stream: boolean;
  hideUsage: boolean;
}

/** How the stream of `call` is read: the sent body says whether usage comes, and how many choices. */
function streamOptions(call: Call): ChoiceStreamOptions {
  const body = call.args[0];
  const n = tokenCount(field(body, 'n'));
  return {
    hideUsage: call.hideUsage,
    usageExpected: field(field(body, 'stream_options'), 'include_usage') === true,
    choices: n !== undefined && n > 1 ? n : 1,
    // Evaluators are documented to get a stream's text, and the captured content holds it: assembled
    // only while an evaluator is registered or content capture is on.
    captureText: getEvaluators().active || call.meter.capturesContent,
  };
}

function startCall(resource: unknown, args: unknown[], op: OpenAIOperation, config: OpenAIInstrumentationConfig): Call {
  const body = args[0];
  const endpoint = clientEndpoint(resource, config);
  const meter = new CallMeter(
    {
      provider: endpoint.provider,
      operation: op.operationName,
      model: nonEmptyString(field(body, 'model')),
      serverAddress: endpoint.serverAddress,
      serverPort: endpoint.serverPort,
    },
    body,
    op.inputMessages,
    requestSampling,
  );
  const stream = field(body, 'stream') === true;
  if (!stream || !op.streamUsage) return { meter, endpoint, args, stream, hideUsage: false };
  const usage = withStreamUsage(args, endpoint, config);
  return { meter, endpoint, args: usage.args, stream, hideUsage: usage.injected };
}

function observe(result: unknown, call: Call, op: OpenAIOperation): void {
  const { meter } = call;
  const onValue = (value: unknown): void => {
    if (call.stream && isOpenAIStream(value)) {
      instrumentOpenAIStream(value, meter, op.streamReader(meter, streamOptions(call)), op.component);
    } else {
      op.readResult(value, meter);
      if (op.outputMessages !== undefined) meter.captureOutput(value, op.outputMessages);
      meter.response = value;
      meter.finish();
    }
  };
  // The rate-limit headers of every call, success or failure, as soon as the response (or the
  // error) arrives; its body is left to the app and the client.
  const onResponse = (response: unknown, error: unknown): void => {
    if (error === undefined) call.endpoint.headroom.onResponse(field(response, 'headers'));
    else call.endpoint.headroom.onError(error);
  };
  const observed = observeApiPromise(result, onValue, (error) => meter.finish(error), op.component, onResponse);
  if (!observed) meter.finish();
}

/**
 * The wrapper of one openai `create` method: starts the clock, adds the stream usage option when
 * allowed, calls the original with the same `this`, and observes the returned `APIPromise` without
 * altering it. The app receives exactly what the original returned or threw.
 */
export function createWrapper(op: OpenAIOperation, owner: () => ConfigSource | undefined) {
  return (original: AnyMethod): AnyMethod =>
    function (this: unknown, ...args: unknown[]): unknown {
      const call = safely(
        op.component,
        () => startCall(this, args, op, owner()?.getConfig() ?? {}),
        undefined as Call | undefined,
      );
      if (call === undefined) return original.apply(this, args);
      let result: unknown;
      try {
        result = original.apply(this, call.args);
      } catch (error) {
        safely(op.component, () => call.meter.finish(error));
        throw error;
      }
      safely(op.component, () => observe(result, call, op));
      return result;
    };
}
