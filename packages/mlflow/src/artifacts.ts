import { getLlmMetrics, MAX_VARIANTS, type Variant, type VariantCall } from '@llm-otel/core';
import { uploadArtifact } from './artifacts-api.js';
import type { ArtifactSettings } from './artifacts-config.js';
import type { MlflowClient } from './client.js';
import { MlflowError } from './errors.js';

/** What the artifact storage has done so far (part of the tracking's status). */
export interface ArtifactStatus {
  /** Records kept from sampled calls (each with the call's redacted messages). */
  readonly sampled: number;
  /** Records uploaded to MLflow. */
  readonly delivered: number;
  /** Sample files uploaded (`samples/<variant>/<time>-<n>.jsonl`). */
  readonly files: number;
  /** Prompt templates uploaded (`prompts/<variant>/<version>.json`). */
  readonly templates: number;
  /**
   * Records not stored: sampled while their variant's file or the buffer was full (MLflow slow or
   * down), larger than a file, or refused by MLflow; and templates the redaction hook failed on.
   */
  readonly dropped: number;
  /** Records waiting for upload (the backlog: at most `maxRecordsPerFlush` per variant). */
  readonly pendingRecords: number;
  /** Their bytes (at most `maxBufferBytes`). */
  readonly pendingBytes: number;
}

/** The records of one variant waiting for upload: the next file. */
interface Pending {
  lines: string[];
  /** The time of each line's call (the file is named after the first). */
  times: number[];
  bytes: number;
  /** Files of the variant uploaded so far (the file name's counter). */
  seq: number;
  /** Whether the template is stored (or can not be). */
  templateDone: boolean;
}

/**
 * Sampled calls' messages of each variant as JSONL records, and the variants' prompt templates,
 * stored as artifacts of the variant's run. The request path only decides the sampling (one random
 * draw) and, for a sampled call, serializes one record into a bounded buffer; uploading happens on
 * the tracking's flush. Content comes from core, already redacted by the app's hook and capped:
 * only while the app's content capture is on.
 */
export class ArtifactWriter {
  private readonly pending = new Map<Variant, Pending>();
  private bufferedBytes = 0;
  private counts = { sampled: 0, delivered: 0, files: 0, templates: 0, dropped: 0 };

  constructor(
    private readonly settings: ArtifactSettings,
    private readonly random: () => number = Math.random,
  ) {}

  /** On the request path: whether to take this call's messages (sampled, and room for them). */
  wantsContent(variant: Variant): boolean {
    if (this.settings.sampleRate <= 0 || this.random() >= this.settings.sampleRate) return false;
    const p = this.pending.get(variant);
    if (
      (p !== undefined && p.lines.length >= this.settings.maxRecordsPerFlush) ||
      this.bufferedBytes >= this.settings.maxBufferBytes
    ) {
      this.counts.dropped++;
      return false;
    }
    return true;
  }

  /** On the request path: keeps the record of a call that carries messages (a sampled one). */
  add(call: Readonly<VariantCall>): void {
    if (call.inputMessages === undefined && call.outputMessages === undefined) return;
    const p = this.entry(call.variant);
    if (p === undefined) return;
    const time = Date.now();
    const line = `${JSON.stringify(recordOf(call, time))}\n`;
    const bytes = Buffer.byteLength(line);
    const s = this.settings;
    if (
      p.lines.length >= s.maxRecordsPerFlush ||
      p.bytes + bytes > s.maxBytes ||
      this.bufferedBytes + bytes > s.maxBufferBytes
    ) {
      this.counts.dropped++;
      return;
    }
    p.lines.push(line);
    p.times.push(time);
    p.bytes += bytes;
    this.bufferedBytes += bytes;
    this.counts.sampled++;
  }

  /** Notes a variant seen (its template is stored at the next flush). */
  seen(variant: Variant): void {
    this.entry(variant);
  }

  /** Whether the variant has a template or records to store. */
  hasWork(variant: Variant): boolean {
    const p = this.pending.get(variant);
    return p !== undefined && (p.lines.length > 0 || (!p.templateDone && variant.template !== undefined));
  }

  /**
   * Stores the variant's template (once) and its waiting records as one file, under the run's
   * artifact root. A transient failure (MLflow down) keeps the records for the next flush (the
   * file keeps its name, so a retry replaces a half-stored one); a refusal drops them (counted).
   * @throws MlflowError of the failed upload, for the caller's reporting.
   */
  async flush(client: MlflowClient, variant: Variant, artifactUri: string): Promise<void> {
    const p = this.pending.get(variant);
    if (p === undefined) return;
    if (!p.templateDone && variant.template !== undefined) await this.storeTemplate(client, variant, artifactUri, p);
    else p.templateDone = true;
    const count = p.lines.length;
    if (count === 0) return;
    const path = `samples/${segment(variant.name)}/${fileTime(p.times[0] as number)}-${p.seq + 1}.jsonl`;
    try {
      await uploadArtifact(client, artifactUri, path, p.lines.slice(0, count).join(''), 'application/x-ndjson');
    } catch (error) {
      if (!(error instanceof MlflowError && error.transient)) {
        this.counts.dropped += count;
        this.remove(p, count);
      }
      throw error;
    }
    p.seq++;
    this.counts.files++;
    this.counts.delivered += count;
    // Records added while the upload ran stay for the next file.
    this.remove(p, count);
  }

  status(): ArtifactStatus {
    let pendingRecords = 0;
    for (const p of this.pending.values()) pendingRecords += p.lines.length;
    return { ...this.counts, pendingRecords, pendingBytes: this.bufferedBytes };
  }

  private entry(variant: Variant): Pending | undefined {
    let p = this.pending.get(variant);
    if (p === undefined) {
      if (this.pending.size >= MAX_VARIANTS) return undefined;
      p = { lines: [], times: [], bytes: 0, seq: 0, templateDone: false };
      this.pending.set(variant, p);
    }
    return p;
  }

  private remove(p: Pending, count: number): void {
    let bytes = 0;
    for (let i = 0; i < count; i++) bytes += Buffer.byteLength(p.lines[i] as string);
    p.lines.splice(0, count);
    p.times.splice(0, count);
    p.bytes -= bytes;
    this.bufferedBytes -= bytes;
  }

  private async storeTemplate(client: MlflowClient, variant: Variant, artifactUri: string, p: Pending): Promise<void> {
    const version = variant.templateVersion ?? variant.templateHash ?? 'template';
    const body: Record<string, string> = { variant: variant.name };
    if (variant.templateVersion !== undefined) body.template_version = variant.templateVersion;
    if (variant.templateHash !== undefined) body.template_hash = variant.templateHash;
    // The app's redaction hook sees the template too: what it removes never leaves.
    const redact = getLlmMetrics().getCallEventOptions().redact;
    let text: string | undefined = variant.template;
    if (redact !== undefined && text !== undefined) {
      try {
        const kept = redact(text);
        text = typeof kept === 'string' ? kept : undefined;
      } catch (error) {
        // Fail closed, as the call events do: no template file at all.
        p.templateDone = true;
        this.counts.dropped++;
        getLlmMetrics().reportInternalError('redact', error);
        return;
      }
    }
    if (text !== undefined) body.template = text;
    try {
      await uploadArtifact(
        client,
        artifactUri,
        `prompts/${segment(variant.name)}/${segment(version)}.json`,
        `${JSON.stringify(body, null, 2)}\n`,
        'application/json',
      );
    } catch (error) {
      if (!(error instanceof MlflowError && error.transient)) {
        p.templateDone = true;
        this.counts.dropped++;
      }
      throw error;
    }
    p.templateDone = true;
    this.counts.templates++;
  }
}

/** One JSONL record: the call's facts and its redacted, capped messages. */
function recordOf(call: Readonly<VariantCall>, time: number): Record<string, unknown> {
  return {
    time: new Date(time).toISOString(),
    variant: call.variant.name,
    model: call.model ?? null,
    input_messages: call.inputMessages ?? null,
    output_messages: call.outputMessages ?? null,
    input_tokens: call.inputTokens ?? null,
    output_tokens: call.outputTokens ?? null,
    duration_seconds: call.durationSeconds,
    'error.type': call.errorType ?? null,
    ...(call.contentTruncated === true ? { content_truncated: true } : {}),
  };
}

/** A path segment from a name or version: letters, digits, `_`, `.`, `-` kept, anything else `_`; never `.` or `..`. */
export function segment(value: string): string {
  let out = '';
  for (let i = 0; i < value.length && out.length < 128; i++) {
    const c = value.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2e ||
      c === 0x2d ||
      c === 0x5f;
    out += ok ? value[i] : '_';
  }
  return out === '' || out[0] === '.' ? `_${out}` : out;
}

/** `20261130T171500123Z`: an ISO time that sorts and is a file name everywhere. */
function fileTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-30T17:15:00.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
}
