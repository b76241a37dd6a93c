import { type GenAiInputMessage, getEvaluators } from '@llm-otel/core';
import { CallMeter } from '../shared/call-meter.js';
import type { AnyMethod } from '../shared/patch-registry.js';
import { field, safely } from '../shared/safe.js';
import { BEDROCK_PROVIDER, clientServer } from './client-endpoint.js';
import { bedrockFailure } from './error-type.js';
import { type BedrockEventReader, instrumentEventStream } from './event-stream.js';
import type { BedrockInstrumentationConfig } from './instrumentation.js';
import { bedrockModelId } from './model-id.js';
import { operationOf } from './targets.js';

/** How one Bedrock Runtime command is measured. One module per command defines one of these. */
export interface BedrockOperation {
  /** Name used when reporting our own exceptions, e.g. `bedrock.converse`. */
  readonly component: string;
  /** `gen_ai.operation.name` of a call with this command input. */
  operationName(input: unknown): string;
  /** The request's messages (the opt-in content of the call's event); called only while content is captured. */
  inputMessages?(input: unknown): GenAiInputMessage[] | undefined;
  /** Reads a plain output: usage, stop reason, response model and id when the body has them. */
  readOutput?(output: unknown, input: unknown, meter: CallMeter): void;
  /** Streaming commands: the output field that holds the event stream (`stream`, `body`). */
  readonly streamField?: string;
  /**
   * Streaming commands: the reader of the call's events; `captureText` assembles the text (for
   * evaluators, and for the call's output message while content is captured).
   */
  streamReader?(meter: CallMeter, input: unknown, captureText: boolean): BedrockEventReader;
}

interface ConfigSource {
  getConfig(): BedrockInstrumentationConfig;
}

interface Call {
  meter: CallMeter;
  op: BedrockOperation;
  input: unknown;
  abortSignal: unknown;
}

function startCall(client: unknown, command: unknown, op: BedrockOperation, options: unknown, owner: ConfigSource) {
  const input = field(command, 'input');
  const server = clientServer(client);
  const known = server instanceof Promise ? {} : server;
  const meter = new CallMeter(
    {
      provider: owner.getConfig().providerName || BEDROCK_PROVIDER,
      operation: op.operationName(input),
      model: bedrockModelId(field(input, 'modelId')),
      serverAddress: known.serverAddress,
      serverPort: known.serverPort,
    },
    input,
    op.inputMessages,
  );
  // A client's first call: its endpoint is being resolved, and is recorded with the call when known.
  if (server instanceof Promise) {
    server.then((resolved) => {
      meter.attributes.serverAddress = resolved.serverAddress;
      meter.attributes.serverPort = resolved.serverPort;
    });
  }
  return { meter, op, input, abortSignal: field(options, 'abortSignal') };
}

/** Takes the output the client resolved with: reads it, or measures its event stream in place. */
function onOutput(output: unknown, call: Call): void {
  const { meter, op } = call;
  const stream = op.streamField === undefined ? undefined : field(output, op.streamField);
  if (op.streamReader !== undefined && stream !== undefined) {
    // Evaluators are documented to get a stream's text, content capture puts it on the event:
    // assembled only while one of them wants it.
    const reader = op.streamReader(meter, call.input, getEvaluators().active || meter.capturesContent);
    instrumentEventStream(stream, meter, reader, call.abortSignal, op.component);
    return;
  }
  op.readOutput?.(output, call.input, meter);
  meter.response = output;
  meter.finish();
}

/** The index of the callback argument of `send(command, cb)` / `send(command, options, cb)`, or -1. */
function callbackIndex(args: unknown[]): number {
  if (typeof args[1] === 'function') return 1;
  return typeof args[2] === 'function' ? 2 : -1;
}

/**
 * The wrapper of the Smithy client's `send` (shared by every AWS SDK v3 client): a command that is
 * not one of Bedrock Runtime's measured commands passes straight through. For Converse,
 * ConverseStream, InvokeModel and InvokeModelWithResponseStream it starts the clock, calls the
 * original with the same `this` and arguments, and observes the outcome on a side branch of the
 * returned promise (or, for `send(command, callback)`, just before the app's callback runs): the app
 * receives the very same promise, output object, events and errors. A streamed output is measured
 * in place (see event-stream.ts) before the app gets it.
 */
export function sendWrapper(owner: () => ConfigSource | undefined) {
  return (original: AnyMethod): AnyMethod =>
    function (this: unknown, ...args: unknown[]): unknown {
      const command = args[0];
      const op = operationOf(command);
      const source = owner();
      if (op === undefined || source === undefined) return original.apply(this, args);
      const call = safely(
        op.component,
        () => startCall(this, command, op, typeof args[1] === 'object' ? args[1] : undefined, source),
        undefined as Call | undefined,
      );
      if (call === undefined) return original.apply(this, args);
      const succeed = (output: unknown): void => safely(op.component, () => onOutput(output, call));
      const fail = (error: unknown): void => safely(op.component, () => call.meter.finish(bedrockFailure(error)));
      const index = callbackIndex(args);
      let callArgs = args;
      if (index >= 0) {
        const callback = args[index] as (...cbArgs: unknown[]) => unknown;
        callArgs = [...args];
        callArgs[index] = function (this: unknown, error: unknown, output: unknown, ...rest: unknown[]) {
          if (error != null) fail(error);
          else succeed(output);
          return callback.call(this, error, output, ...rest);
        };
      }
      let result: unknown;
      try {
        result = original.apply(this, callArgs);
      } catch (error) {
        fail(error);
        throw error;
      }
      if (index < 0) {
        if (result instanceof Promise) result.then(succeed, fail);
        else safely(op.component, () => call.meter.finish());
      }
      return result;
    };
}
