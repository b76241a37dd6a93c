import { type GenAiInputMessage, type GenAiOutputMessage, getEvaluators } from '@llm-otel/core';
import type { AnthropicInstrumentationConfig } from '../config.js';
import { observeApiPromise } from '../shared/api-promise.js';
import { CallMeter } from '../shared/call-meter.js';
import type { AnyMethod } from '../shared/patch-registry.js';
import { field, nonEmptyString, safely } from '../shared/safe.js';
import { requestSampling } from '../shared/sampling.js';
import { type AnthropicEndpoint, clientEndpoint } from './client-endpoint.js';
import { anthropicFailure } from './error-type.js';
import { instrumentAnthropicStream, isAnthropicStream, type MessageEventReader } from './stream.js';

/** How one patched Anthropic method is measured. One module per method defines one of these. */
export interface AnthropicOperation {
  /** `gen_ai.operation.name`. */
  readonly operationName: string;
  /** Name used when reporting our own exceptions, e.g. `anthropic.messages.create`. */
  readonly component: string;
  /** Reads a non-streamed result: response model, id, usage, stop reason. */
  readResult(result: unknown, meter: CallMeter): void;
  /** The reader of a streamed call's events; `captureText` assembles the text for evaluators. */
  streamReader(meter: CallMeter, captureText: boolean): MessageEventReader;
  /** The request's messages, for the opt-in content capture (called only while it is on). */
  readonly inputMessages?: (body: unknown) => GenAiInputMessage[];
  /** A non-streamed result's messages, for the opt-in content capture (called only while it is on). */
  readonly outputMessages?: (result: unknown) => GenAiOutputMessage[];
}

interface ConfigSource {
  getConfig(): AnthropicInstrumentationConfig;
}

interface Call {
  meter: CallMeter;
  /** Provider and server, for the rate-limit gauges. */
  endpoint: AnthropicEndpoint;
  stream: boolean;
}

function startCall(resource: unknown, body: unknown, op: AnthropicOperation, config: AnthropicInstrumentationConfig) {
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
  return { meter, endpoint, stream: field(body, 'stream') === true };
}

function observe(result: unknown, call: Call, op: AnthropicOperation): void {
  const { meter } = call;
  const onValue = (value: unknown): void => {
    if (call.stream && isAnthropicStream(value)) {
      // Evaluators are documented to get a stream's text, and the captured content holds it: assembled
      // only while an evaluator is registered or content capture is on.
      const captureText = getEvaluators().active || meter.capturesContent;
      instrumentAnthropicStream(value, meter, op.streamReader(meter, captureText), op.component);
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
  const onError = (error: unknown): void => meter.finish(anthropicFailure(error));
  const observed = observeApiPromise(result, onValue, onError, op.component, onResponse);
  if (!observed) meter.finish();
}

/**
 * The wrapper of one Anthropic `create` method: starts the clock, calls the original with the same
 * `this` and arguments, and observes the returned `APIPromise` without altering it (the client is
 * generated like openai's: the same lazy promise, observed the same way, see
 * src/shared/api-promise.ts). The app receives exactly what the original returned or threw.
 */
export function createWrapper(op: AnthropicOperation, owner: () => ConfigSource | undefined) {
  return (original: AnyMethod): AnyMethod =>
    function (this: unknown, ...args: unknown[]): unknown {
      const call = safely(
        op.component,
        () => startCall(this, args[0], op, owner()?.getConfig() ?? {}),
        undefined as Call | undefined,
      );
      if (call === undefined) return original.apply(this, args);
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (error) {
        safely(op.component, () => call.meter.finish(anthropicFailure(error)));
        throw error;
      }
      safely(op.component, () => observe(result, call, op));
      return result;
    };
}
