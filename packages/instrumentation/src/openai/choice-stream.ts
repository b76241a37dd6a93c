import type { CallMeter } from '../shared/call-meter.js';
import { type ContentKind, nonEmpty } from '../shared/content-kind.js';
import type { StreamToolCalls } from '../shared/messages.js';
import { field, nonEmptyString } from '../shared/safe.js';
import { StreamText } from '../shared/stream-text.js';
import { StreamFinishReasons } from './response-details.js';
import type { ChunkReader } from './stream.js';
import { readOpenAIUsage } from './usage.js';

/** How the choices of one chunk format (chat or legacy completions) are read. */
export interface ChoiceFormat {
  /** What a streamed choice carries (for the first content chunk). */
  content(choice: unknown): ContentKind;
  /** The text a streamed choice adds to the answer (for evaluators). */
  text(choice: unknown): unknown;
}

/** Chat: content, a refusal, tool or function calls, or audio; or reasoning text only. */
export const chatChoices: ChoiceFormat = {
  content(choice) {
    const delta = field(choice, 'delta');
    if (
      nonEmpty(field(delta, 'content')) ||
      nonEmpty(field(delta, 'refusal')) ||
      nonEmpty(field(delta, 'tool_calls')) ||
      nonEmpty(field(delta, 'function_call')) ||
      nonEmpty(field(delta, 'audio'))
    )
      return 'content';
    return nonEmpty(field(delta, 'reasoning_content')) || nonEmpty(field(delta, 'reasoning')) ? 'reasoning' : undefined;
  },
  text: (choice) => field(field(choice, 'delta'), 'content'),
};

/** Legacy completions: a choice with text. */
export const completionChoices: ChoiceFormat = {
  content: (choice) => (nonEmpty(field(choice, 'text')) ? 'content' : undefined),
  text: (choice) => field(choice, 'text'),
};

/** How one streamed chat or legacy completion is read. */
export interface ChoiceStreamOptions {
  /** We added `include_usage`: withhold the usage-only chunk and clear the `usage: null` fields. */
  hideUsage: boolean;
  /** The request asks for usage (we or the app): a usage chunk follows the finish chunk. */
  usageExpected: boolean;
  /** The number of choices asked for (`n`); more than one needs every finish counted. */
  choices: number;
  /** Assemble the text of choice 0 for evaluators and the captured content. */
  captureText: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Reads the chunks of a streamed chat or legacy completion. Per chunk it only looks for the first
 * content chunk (until found), keeps the last chunk, and, when we asked for usage, withholds the
 * usage-only chunk (recognised by its empty `choices`) and clears the `usage: null` field the option
 * adds to the other chunks by assigning undefined (a `delete` would turn the app's chunk objects into
 * slow dictionary-mode objects; undefined serialises as the field's absence). Model, usage (the
 * counts and their cached and reasoning details, see usage.ts) and whether the stream completed
 * come from the last chunk, once, in `settle()`.
 */
export class ChoiceStreamReader implements ChunkReader {
  private last: unknown;
  private finishes = 0;
  private readonly multi: boolean;
  private readonly hideUsage: boolean;
  private readonly text: StreamText | undefined;
  /** Kept only when the response id and finish reasons have a use (span or event). */
  private readonly finishReasons: StreamFinishReasons | undefined;

  constructor(
    private readonly meter: CallMeter,
    private readonly format: ChoiceFormat,
    private readonly options: ChoiceStreamOptions,
  ) {
    this.multi = options.choices > 1;
    this.hideUsage = options.hideUsage;
    this.text = options.captureText ? new StreamText() : undefined;
    this.finishReasons = meter.wantsDetails ? new StreamFinishReasons() : undefined;
  }

  read(chunk: unknown): boolean {
    if (this.meter.firstTokenAt === undefined) this.lookForFirstToken(chunk);
    this.last = chunk;
    if (this.multi) this.countFinishes(chunk);
    if (this.text !== undefined) this.appendText(chunk, this.text);
    const toolCalls = this.meter.streamToolCalls;
    if (toolCalls !== undefined) this.noteToolCalls(chunk, toolCalls);
    if (this.finishReasons !== undefined) this.finishReasons.note(chunk);
    if (!this.hideUsage || !isObject(chunk)) return true;
    const usage = chunk.usage;
    if (usage === null) {
      chunk.usage = undefined;
      return true;
    }
    return !(isObject(usage) && Array.isArray(chunk.choices) && chunk.choices.length === 0);
  }

  settle(): void {
    const meter = this.meter;
    const last = this.last;
    if (meter.responseModel === undefined) meter.responseModel = nonEmptyString(field(last, 'model'));
    readOpenAIUsage(field(last, 'usage'), meter);
    meter.completed = this.isTerminal(last);
    this.finishReasons?.settle(last, meter);
    if (this.text !== undefined) meter.setStreamText(this.text.value);
  }

  usagePending(): boolean {
    const last = this.last;
    return this.options.usageExpected && !isObject(field(last, 'usage')) && this.isTerminal(last);
  }

  /** Whether `chunk` ends the answer: the usage chunk, or a finish reason (for every choice asked for). */
  private isTerminal(chunk: unknown): boolean {
    const choices = field(chunk, 'choices');
    if (!Array.isArray(choices)) return false;
    if (choices.length === 0) return isObject(field(chunk, 'usage'));
    if (this.multi) return this.finishes >= this.options.choices;
    for (const choice of choices) if (field(choice, 'finish_reason') != null) return true;
    return false;
  }

  private lookForFirstToken(chunk: unknown): void {
    const meter = this.meter;
    if (meter.responseModel === undefined) meter.responseModel = nonEmptyString(field(chunk, 'model'));
    const choices = field(chunk, 'choices');
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      const kind = this.format.content(choice);
      if (kind !== undefined) {
        meter.markFirstToken(kind === 'reasoning');
        return;
      }
    }
  }

  private countFinishes(chunk: unknown): void {
    const choices = field(chunk, 'choices');
    if (!Array.isArray(choices)) return;
    for (const choice of choices) if (field(choice, 'finish_reason') != null) this.finishes++;
  }

  /** Content capture: the pieces of choice 0's tool calls (id and name first, then argument deltas). */
  private noteToolCalls(chunk: unknown, toolCalls: StreamToolCalls): void {
    const choices = field(chunk, 'choices');
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      const index = field(choice, 'index');
      if (index !== 0 && index !== undefined) continue;
      const calls = field(field(choice, 'delta'), 'tool_calls');
      if (!Array.isArray(calls)) continue;
      for (const call of calls) {
        const fn = field(call, 'function');
        toolCalls.note(field(call, 'index'), field(call, 'id'), field(fn, 'name'), field(fn, 'arguments'));
      }
    }
  }

  private appendText(chunk: unknown, text: StreamText): void {
    const choices = field(chunk, 'choices');
    if (!Array.isArray(choices)) return;
    for (const choice of choices) {
      const index = field(choice, 'index');
      if (index === 0 || index === undefined) text.append(this.format.text(choice));
    }
  }
}
