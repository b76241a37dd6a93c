import type { GenAiInputMessage, GenAiOutputMessage } from '@llm-otel/core';
import type { OllamaInstrumentationConfig } from '../config.js';
import { CallMeter } from '../shared/call-meter.js';
import type { ContentKind } from '../shared/content-kind.js';
import { serverEndpoint } from '../shared/endpoint.js';
import { watchEndpoint } from '../shared/health-watch.js';
import type { AnyMethod } from '../shared/patch-registry.js';
import { field, nonEmptyString, safely } from '../shared/safe.js';
import { instrumentOllamaStream } from './stream.js';

/** How one patched Ollama method is measured. One module per method defines one of these. */
export interface OllamaOperation {
  /** `gen_ai.operation.name`. */
  readonly operationName: string;
  /** Name used when reporting our own exceptions, e.g. `ollama.chat`. */
  readonly component: string;
  /** Reads a non-streamed result. */
  readResult(result: unknown, meter: CallMeter): void;
  /** What a chunk of a streamed call carries (for the time to first token); none: no streams. */
  chunkContent?(chunk: unknown): ContentKind;
  /** The text a chunk adds to the answer (assembled for evaluators). */
  chunkText?(chunk: unknown): unknown;
  /** The request's messages, for the opt-in content capture (called only while it is on). */
  readonly inputMessages?: (request: unknown) => GenAiInputMessage[];
  /** A non-streamed result's messages, for the opt-in content capture (called only while it is on). */
  readonly outputMessages?: (result: unknown) => GenAiOutputMessage[];
}

interface ConfigSource {
  getConfig(): OllamaInstrumentationConfig;
}

function startCall(client: unknown, request: unknown, op: OllamaOperation, config: OllamaInstrumentationConfig) {
  const host = field(field(client, 'config'), 'host');
  const { serverAddress, serverPort } = serverEndpoint(host);
  const provider = config.providerName || 'ollama';
  watchEndpoint(provider, host, 'ollama');
  return new CallMeter(
    {
      provider,
      operation: op.operationName,
      model: nonEmptyString(field(request, 'model')),
      serverAddress,
      serverPort,
    },
    request,
    op.inputMessages,
  );
}

/**
 * The wrapper of one Ollama client method (`chat`, `generate`, `embed`, `embeddings`). The method
 * is async; the app gets a promise that settles with the original's value or error, after we read
 * it. A streamed call resolves to ollama's `AbortableAsyncIterator`, which is measured in place.
 */
export function ollamaWrapper(op: OllamaOperation, owner: () => ConfigSource | undefined) {
  return (original: AnyMethod): AnyMethod =>
    function (this: unknown, ...args: unknown[]): unknown {
      const request = args[0];
      const meter = safely(
        op.component,
        () => startCall(this, request, op, owner()?.getConfig() ?? {}),
        undefined as CallMeter | undefined,
      );
      if (meter === undefined) return original.apply(this, args);
      const streamed = field(request, 'stream') === true && op.chunkContent !== undefined;
      let result: unknown;
      try {
        result = original.apply(this, args);
      } catch (error) {
        safely(op.component, () => meter.finish(error));
        throw error;
      }
      if (!(result instanceof Promise)) {
        safely(op.component, () => meter.finish());
        return result;
      }
      return result.then(
        (value: unknown) => {
          safely(op.component, () => {
            if (streamed && instrumentOllamaStream(value, meter, op)) return;
            op.readResult(value, meter);
            if (op.outputMessages !== undefined) meter.captureOutput(value, op.outputMessages);
            meter.response = value;
            meter.finish();
          });
          return value;
        },
        (error: unknown) => {
          safely(op.component, () => meter.finish(error));
          throw error;
        },
      );
    };
}
