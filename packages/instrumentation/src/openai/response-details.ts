import type { CallMeter } from '../shared/call-meter.js';
import { field, nonEmptyString } from '../shared/safe.js';

/**
 * The response id and finish reasons of OpenAI calls (`gen_ai.response.id`,
 * `gen_ai.response.finish_reasons`), for the call's span and event only: every reader here returns
 * at once unless `meter.wantsDetails` (a recording span or an event sink), so that without them no
 * work is done.
 */

/** Most choices whose finish reason a stream keeps (core keeps as many). */
const MAX_CHOICES = 128;

/** Reads the id and each choice's `finish_reason` of a Chat Completions or legacy Completions response. */
export function readChoiceDetails(response: unknown, meter: CallMeter): void {
  if (!meter.wantsDetails) return;
  meter.responseId = nonEmptyString(field(response, 'id'));
  const choices = field(response, 'choices');
  if (!Array.isArray(choices)) return;
  const reasons: string[] = [];
  for (const choice of choices) {
    if (reasons.length >= MAX_CHOICES) break;
    const reason = nonEmptyString(field(choice, 'finish_reason'));
    if (reason !== undefined) reasons.push(reason);
  }
  if (reasons.length > 0) meter.finishReasons = reasons;
}

/** Reads the id of a Responses API response (its finish is a status, not a finish reason). */
export function readResponseId(response: unknown, meter: CallMeter): void {
  if (!meter.wantsDetails) return;
  const id = nonEmptyString(field(response, 'id'));
  if (id !== undefined) meter.responseId = id;
}

/**
 * The finish reasons of a streamed Chat Completion or legacy Completion, one per choice `index`, as
 * their chunks arrive (with `n` > 1 choices finish in different chunks; the usage chunk comes last).
 */
export class StreamFinishReasons {
  private readonly reasons: string[] = [];

  /** Notes the finish reasons a chunk carries. */
  note(chunk: unknown): void {
    const choices = field(chunk, 'choices');
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      const reason = nonEmptyString(field(choice, 'finish_reason'));
      if (reason === undefined) continue;
      const index = field(choice, 'index') ?? 0;
      if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < MAX_CHOICES)
        this.reasons[index] = reason;
    }
  }

  /** Hands the id of `last` (every chunk carries it) and the reasons seen, in choice order, to `meter`. */
  settle(last: unknown, meter: CallMeter): void {
    meter.responseId = nonEmptyString(field(last, 'id'));
    const reasons = this.reasons.filter((reason) => reason !== undefined);
    if (reasons.length > 0) meter.finishReasons = reasons;
  }
}
