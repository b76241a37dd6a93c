import { getEvaluators } from '@llm-otel/core';
import type { GoogleGenAIInstrumentationConfig } from '../config.js';
import { CallMeter } from '../shared/call-meter.js';
import type { AnyMethod } from '../shared/patch-registry.js';
import { field, safely } from '../shared/safe.js';
import { clientEndpoint, requestModel } from './client-endpoint.js';
import { geminiInput, geminiOutput } from './content.js';
import type { GoogleGenAIOperation } from './operations.js';
import { GeminiChunkReader, instrumentGeminiStream, isAsyncIterator } from './stream.js';

interface ConfigSource {
  getConfig(): GoogleGenAIInstrumentationConfig;
}

function startCall(
  models: unknown,
  params: unknown,
  op: GoogleGenAIOperation,
  config: GoogleGenAIInstrumentationConfig,
) {
  const endpoint = clientEndpoint(models, config.providerName);
  return new CallMeter(
    {
      provider: endpoint.provider,
      operation: op.operationName,
      model: requestModel(field(params, 'model')),
      serverAddress: endpoint.serverAddress,
      serverPort: endpoint.serverPort,
    },
    params,
    // Embeddings' contents are not messages: only the chat methods' requests are converted.
    op.operationName === 'chat' ? geminiInput : undefined,
  );
}

function observe(result: unknown, meter: CallMeter, params: unknown, op: GoogleGenAIOperation): void {
  if (!(result instanceof Promise)) {
    meter.finish();
    return;
  }
  const onValue = (value: unknown): void =>
    safely(op.component, () => {
      if (op.streamed && isAsyncIterator(value)) {
        // Evaluators are documented to get a stream's text, content capture puts it on the event:
        // assembled only while one of them wants it.
        const reader = new GeminiChunkReader(meter, getEvaluators().active || meter.capturesContent);
        const signal = field(field(params, 'config'), 'abortSignal');
        instrumentGeminiStream(value, meter, reader, signal, op.component);
      } else {
        op.readResult(value, meter);
        if (op.operationName === 'chat') meter.captureOutput(value, geminiOutput);
        meter.response = value;
        meter.finish();
      }
    });
  const onError = (error: unknown): void => safely(op.component, () => meter.finish(error));
  // A side branch: registered before the caller's own `await`, so a stream is measured before
  // anyone reads it; the caller's promise, its value and its rejection are untouched.
  result.then(onValue, onError);
}

/**
 * The wrapper of one `Models` method that sends a model request: starts the clock, calls the
 * original with the same `this` and arguments, and observes the returned promise on a side branch.
 * The caller receives exactly what the original returned or threw; a streamed call's generator is
 * the same object, measured in place (stream.ts).
 */
export function createWrapper(op: GoogleGenAIOperation, owner: () => ConfigSource | undefined) {
  return (original: AnyMethod): AnyMethod =>
    function (this: unknown, ...args: unknown[]): unknown {
      const params = args[0];
      const meter = safely(
        op.component,
        () => startCall(this, params, op, owner()?.getConfig() ?? {}),
        undefined as CallMeter | undefined,
      );
      if (meter === undefined) return original.apply(this, args);
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (error) {
        safely(op.component, () => meter.finish(error));
        throw error;
      }
      safely(op.component, () => observe(result, meter, params, op));
      return result;
    };
}
