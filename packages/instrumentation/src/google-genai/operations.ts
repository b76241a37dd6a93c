import type { CallMeter } from '../shared/call-meter.js';
import { field } from '../shared/safe.js';
import { readGeminiUsage, readResponseDetails } from './usage.js';

/**
 * One method of the client's `Models` module that sends one request to a model, and how it is
 * measured. These are the methods that every public path goes through once per model request:
 * `models.generateContent` (and so `chats.create().sendMessage()`), `models.generateContentStream`
 * (and `sendMessageStream()`), `models.embedContent`, each hop of automatic continuation and each
 * round of automatic function calling.
 */
export interface GoogleGenAIOperation {
  /** The method of `Models.prototype`. */
  readonly key: string;
  /** `gen_ai.operation.name`. */
  readonly operationName: string;
  /** Name used when reporting our own exceptions. */
  readonly component: string;
  /** Whether it resolves to a stream of chunks. */
  readonly streamed: boolean;
  /** Reads a non-streamed result. */
  readResult(result: unknown, meter: CallMeter): void;
}

function readGenerateContent(response: unknown, meter: CallMeter): void {
  readResponseDetails(response, meter);
  readGeminiUsage(field(response, 'usageMetadata'), meter);
}

/** `generateContentInternal`: one `:generateContent` request. */
export const generateContent: GoogleGenAIOperation = {
  key: 'generateContentInternal',
  operationName: 'chat',
  component: 'google-genai.models.generateContent',
  streamed: false,
  readResult: readGenerateContent,
};

/** `generateContentStreamInternal`: one `:streamGenerateContent` request (read in stream.ts). */
export const generateContentStream: GoogleGenAIOperation = {
  key: 'generateContentStreamInternal',
  operationName: 'chat',
  component: 'google-genai.models.generateContentStream',
  streamed: true,
  readResult: readGenerateContent,
};

/** `embedContentInternal`: one embeddings request; input tokens only, when the response reports them. */
export const embedContent: GoogleGenAIOperation = {
  key: 'embedContentInternal',
  operationName: 'embeddings',
  component: 'google-genai.models.embedContent',
  streamed: false,
  readResult(result, meter) {
    meter.setUsage(field(field(result, 'usageMetadata'), 'promptTokenCount'), undefined);
  },
};

export const GOOGLE_GENAI_OPERATIONS: readonly GoogleGenAIOperation[] = [
  generateContent,
  generateContentStream,
  embedContent,
];
