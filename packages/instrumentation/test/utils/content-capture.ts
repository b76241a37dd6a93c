import { type CallEvent, type CallEventSink, getLlmMetrics } from '@llm-otel/core';
import { afterEach } from 'vitest';

/** Keeps the call events core hands to its sink. */
export class KeepingSink implements CallEventSink {
  readonly events: CallEvent[] = [];
  emit(event: CallEvent): void {
    this.events.push(event);
  }
}

/** Registers a keeping sink with content capture `on` (and the app's redaction hook, if given). */
export function captureContent(on: boolean, redact?: (text: string) => string): KeepingSink {
  const sink = new KeepingSink();
  getLlmMetrics().setCallEventSink(sink);
  getLlmMetrics().configureCallEvents({ captureContent: on, ...(redact === undefined ? {} : { redact }) });
  return sink;
}

/** After each test of the calling file: no sink, content capture and redaction back to their defaults. */
export function resetContentCaptureAfterEach(): void {
  afterEach(() => {
    getLlmMetrics().setCallEventSink(undefined);
    getLlmMetrics().configureCallEvents({ captureContent: undefined, redact: undefined });
  });
}
