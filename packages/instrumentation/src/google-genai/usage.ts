import { inferenceTokenFields, usageFromGemini } from '@llm-otel/core';
import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString } from '../shared/safe.js';

/**
 * Reads a Gemini `usageMetadata` into the meter with core's `usageFromGemini()` and
 * `inferenceTokenFields()`, the one reader of Gemini's names and counting: `promptTokenCount`
 * includes `cachedContentTokenCount`; `thoughtsTokenCount` is not part of `candidatesTokenCount`
 * (core adds it to the output total and keeps it as the reasoning detail). A usage without a
 * prompt count records nothing: nothing is guessed.
 */
export function readGeminiUsage(usageMetadata: unknown, meter: CallMeter): void {
  if (typeof usageMetadata !== 'object' || usageMetadata === null) return;
  const read = usageFromGemini(usageMetadata);
  if (read !== undefined) meter.setTokenFields(inferenceTokenFields(read));
}

/**
 * Model, id and finish reasons of a `GenerateContentResponse` (the whole response, or a stream's
 * chunk): `modelVersion`, `responseId`, each candidate's `finishReason`. The finish reasons only
 * when the call has a use for them (`meter.wantsDetails`).
 */
export function readResponseDetails(response: unknown, meter: CallMeter): void {
  const model = nonEmptyString(field(response, 'modelVersion'));
  if (model !== undefined) meter.responseModel = model;
  if (!meter.wantsDetails) return;
  const id = nonEmptyString(field(response, 'responseId'));
  if (id !== undefined) meter.responseId = id;
  const candidates = field(response, 'candidates');
  if (!Array.isArray(candidates)) return;
  const reasons: string[] = [];
  // Bounded: a response has few candidates (candidateCount), and only the first 8 are read.
  for (let i = 0; i < candidates.length && i < 8; i++) {
    const reason = nonEmptyString(field(candidates[i], 'finishReason'));
    if (reason !== undefined) reasons.push(reason);
  }
  if (reasons.length > 0) meter.finishReasons = reasons;
}
