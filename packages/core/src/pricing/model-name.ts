/**
 * Turns a reported model name into the keys a price table is searched with. Exact keys only, never
 * a prefix match: `gpt-4o` never takes `gpt-4o-mini` prices, `o3` never `o3-mini`, and an unknown
 * name stays unknown. Linear in the name (hand-written character checks, no regular expressions).
 */

/** Longer names are not looked up (they are not model names). */
export const MAX_MODEL_NAME_LENGTH = 256;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Number of ASCII digits ending at `end` (exclusive), scanning back to `start`. */
function digitRunBefore(text: string, end: number, start = 0): number {
  let i = end;
  while (i > start && isDigit(text.charCodeAt(i - 1))) i -= 1;
  return end - i;
}

/**
 * The name lowercased, trimmed, and without a provider prefix (everything up to the last `/`:
 * `openai/gpt-4o`, `models/gemini-2.5-pro` as the Gemini API reports it). Undefined when there is
 * no usable name (not a string, empty, longer than {@link MAX_MODEL_NAME_LENGTH}).
 */
export function normalizeModelName(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_MODEL_NAME_LENGTH) return undefined;
  let text = name.trim().toLowerCase();
  const slash = text.lastIndexOf('/');
  if (slash >= 0) text = text.slice(slash + 1);
  return text.length === 0 ? undefined : text;
}

/**
 * The name without one version suffix, or undefined when it has none:
 * - `-latest` (`claude-3-5-haiku-latest`);
 * - a date `-YYYY-MM-DD` (OpenAI `gpt-4o-mini-2024-07-18`) or `-YYYYMMDD` (Anthropic
 *   `claude-3-5-haiku-20241022`) or `@YYYYMMDD` (Vertex AI `claude-3-5-haiku@20241022`);
 * - a version number `-NNNN` (OpenAI `gpt-4-0613`, Mistral `mistral-large-2411`) or `-NNN`
 *   (Gemini `gemini-2.0-flash-001`).
 */
export function stripVersionSuffix(name: string): string | undefined {
  if (name.endsWith('-latest') && name.length > 7) return name.slice(0, -7);
  const n = name.length;
  // -YYYY-MM-DD
  if (
    n > 11 &&
    name.charCodeAt(n - 11) === 0x2d &&
    name.charCodeAt(n - 6) === 0x2d &&
    name.charCodeAt(n - 3) === 0x2d &&
    digitRunBefore(name, n, n - 2) === 2 &&
    digitRunBefore(name, n - 3, n - 5) === 2 &&
    digitRunBefore(name, n - 6, n - 10) === 4
  ) {
    return name.slice(0, n - 11);
  }
  const run = digitRunBefore(name, n);
  if (run === 0 || run === n) return undefined;
  const separator = name.charCodeAt(n - run - 1);
  if (run === 8 && (separator === 0x2d || separator === 0x40)) return name.slice(0, n - 9); // -YYYYMMDD, @YYYYMMDD
  if ((run === 4 || run === 3) && separator === 0x2d) return name.slice(0, n - run - 1);
  return undefined;
}

/** The keys to look up for a reported name, most specific first (at most two). */
export function modelKeyCandidates(name: unknown): string[] {
  const normalized = normalizeModelName(name);
  if (normalized === undefined) return [];
  const stripped = stripVersionSuffix(normalized);
  return stripped === undefined || stripped.length === 0 ? [normalized] : [normalized, stripped];
}
