/**
 * Hand-written parsers of the values found in rate-limit headers. Each reads its input once, left
 * to right (linear, no regular expressions), never throws, and says why a value is refused. The
 * caller bounds the length (see MAX_HEADER_VALUE_LENGTH) and trims optional whitespace first.
 */

/** Why a header value was refused. A label value: never contains the value itself. */
export type MalformedHeaderReason =
  | 'too_long'
  | 'empty'
  | 'invalid_number'
  | 'out_of_range'
  | 'invalid_duration'
  | 'invalid_date'
  | 'unreadable';

/** A parsed value, or why there is none. */
export type Parsed = { ok: true; value: number } | { ok: false; reason: MalformedHeaderReason };

/** Longer header values are refused unread. */
export const MAX_HEADER_VALUE_LENGTH = 64;

/** Resets and retry delays above this (about 31 years) are refused as out of range. */
export const MAX_SECONDS = 1e9;

/** At most 15 digits: every such integer is exact in a double. */
const MAX_INTEGER_DIGITS = 15;

const fail = (reason: MalformedHeaderReason): Parsed => ({ ok: false, reason });
const ok = (value: number): Parsed => ({ ok: true, value });

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Value of the digits text[start, end) (the caller checked they are digits). */
function digitsValue(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i += 1) value = value * 10 + (text.charCodeAt(i) - 0x30);
  return value;
}

/** True when text[start, end) is all ASCII digits (and not empty). */
function allDigits(text: string, start: number, end: number): boolean {
  if (end <= start || end > text.length) return false;
  for (let i = start; i < end; i += 1) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** The value without leading and trailing optional whitespace (SP, HTAB), as HTTP field values are read. */
export function trimOptionalWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === 0x20 || value.charCodeAt(start) === 0x09)) start += 1;
  while (end > start && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end -= 1;
  return value.slice(start, end);
}

/** A count such as `60000`: ASCII digits only (no sign, exponent or fraction), at most 15 of them. */
export function parseNonNegativeInteger(text: string): Parsed {
  if (text.length === 0) return fail('empty');
  if (!allDigits(text, 0, text.length)) return fail('invalid_number');
  if (text.length > MAX_INTEGER_DIGITS) return fail('out_of_range');
  return ok(digitsValue(text, 0, text.length));
}

/** A non-negative decimal such as `1500` or `20.5`: digits, optionally `.` and more digits. */
export function parseNonNegativeDecimal(text: string): Parsed {
  if (text.length === 0) return fail('empty');
  const dot = text.indexOf('.');
  const intEnd = dot < 0 ? text.length : dot;
  if (!allDigits(text, 0, intEnd)) return fail('invalid_number');
  if (dot >= 0 && !allDigits(text, dot + 1, text.length)) return fail('invalid_number');
  if (intEnd > MAX_INTEGER_DIGITS) return fail('out_of_range');
  return ok(Number(text));
}

/** Units of a Go duration: [rank, seconds]. Ranks go from the largest unit to the smallest. */
const DURATION_UNITS: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['h', [0, 3600]],
  ['m', [1, 60]],
  ['s', [2, 1]],
  ['ms', [3, 1e-3]],
  ['us', [4, 1e-6]],
  ['\u00b5s', [4, 1e-6]], // micro sign
  ['\u03bcs', [4, 1e-6]], // greek mu
  ['ns', [5, 1e-9]],
]);

function isUnitChar(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || code === 0xb5 || code === 0x3bc;
}

/**
 * A Go duration as OpenAI sends in `x-ratelimit-reset-*` (`12ms`, `6m0s`, `1h2m3.5s`, `0s`), in
 * seconds. Stricter than Go: no sign, a digit before any `.`, units from largest to smallest and
 * each at most once (`5m5m` is refused). A bare `0` is zero, as in Go.
 */
export function parseGoDuration(text: string): Parsed {
  if (text.length === 0) return fail('empty');
  if (text === '0') return ok(0);
  let i = 0;
  let total = 0;
  let lastRank = -1;
  while (i < text.length) {
    const start = i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i += 1;
    if (i === start) return fail('invalid_duration');
    if (i < text.length && text.charCodeAt(i) === 0x2e) {
      i += 1;
      const fraction = i;
      while (i < text.length && isDigit(text.charCodeAt(i))) i += 1;
      if (i === fraction) return fail('invalid_duration');
    }
    const amount = Number(text.slice(start, i));
    const unitStart = i;
    while (i < text.length && isUnitChar(text.charCodeAt(i))) i += 1;
    const unit = DURATION_UNITS.get(text.slice(unitStart, i));
    // Unknown or missing unit, or units out of order or repeated.
    if (unit === undefined || unit[0] <= lastRank) return fail('invalid_duration');
    lastRank = unit[0];
    total += amount * unit[1];
  }
  if (!Number.isFinite(total) || total > MAX_SECONDS) return fail('out_of_range');
  return ok(total);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Milliseconds since the epoch of a UTC date and time, or undefined when a field is out of range. */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number) {
  if (month < 1 || month > 12 || day < 1) return undefined;
  const days = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  // Second 60 is a leap second; it is read as the first second of the next minute.
  if (day > days || hour > 23 || minute > 59 || second > 60) return undefined;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC reads years 0 to 99 as 1900 to 1999.
  return year < 100 ? new Date(millis).setUTCFullYear(year) : millis;
}

/**
 * An RFC 3339 date-time (`2026-11-30T14:40:32Z`, `2026-11-30T15:40:32.5+01:00`), as Anthropic sends
 * in `anthropic-ratelimit-*-reset`, in milliseconds since the epoch.
 */
export function parseRfc3339(text: string): Parsed {
  if (text.length === 0) return fail('empty');
  // YYYY-MM-DDTHH:MM:SS is 19 characters; then an optional fraction and a zone.
  if (
    text.length < 20 ||
    !allDigits(text, 0, 4) ||
    text[4] !== '-' ||
    !allDigits(text, 5, 7) ||
    text[7] !== '-' ||
    !allDigits(text, 8, 10) ||
    !(text[10] === 'T' || text[10] === 't' || text[10] === ' ') ||
    !allDigits(text, 11, 13) ||
    text[13] !== ':' ||
    !allDigits(text, 14, 16) ||
    text[16] !== ':' ||
    !allDigits(text, 17, 19)
  ) {
    return fail('invalid_date');
  }
  let i = 19;
  let fractionMs = 0;
  if (text[i] === '.') {
    const start = i + 1;
    i = start;
    while (i < text.length && isDigit(text.charCodeAt(i))) i += 1;
    if (i === start) return fail('invalid_date');
    fractionMs = Number(`0.${text.slice(start, i)}`) * 1000;
  }
  let offsetMinutes = 0;
  const zone = text.slice(i);
  if (zone === 'Z' || zone === 'z') {
    offsetMinutes = 0;
  } else if (
    zone.length === 6 &&
    (zone[0] === '+' || zone[0] === '-') &&
    allDigits(zone, 1, 3) &&
    zone[3] === ':' &&
    allDigits(zone, 4, 6)
  ) {
    const hours = digitsValue(zone, 1, 3);
    const minutes = digitsValue(zone, 4, 6);
    if (hours > 23 || minutes > 59) return fail('invalid_date');
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  } else {
    return fail('invalid_date');
  }
  const millis = utcMillis(
    digitsValue(text, 0, 4),
    digitsValue(text, 5, 7),
    digitsValue(text, 8, 10),
    digitsValue(text, 11, 13),
    digitsValue(text, 14, 16),
    digitsValue(text, 17, 19),
  );
  if (millis === undefined) return fail('invalid_date');
  return ok(millis + fractionMs - offsetMinutes * 60_000);
}

const SHORT_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const LONG_DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `HH:MM:SS` at `at`, or undefined. */
function timeAt(text: string, at: number): [number, number, number] | undefined {
  if (!allDigits(text, at, at + 2) || text[at + 2] !== ':' || !allDigits(text, at + 3, at + 5)) return undefined;
  if (text[at + 5] !== ':' || !allDigits(text, at + 6, at + 8)) return undefined;
  return [digitsValue(text, at, at + 2), digitsValue(text, at + 3, at + 5), digitsValue(text, at + 6, at + 8)];
}

/**
 * An HTTP-date (RFC 9110 §5.6.7) in milliseconds since the epoch: the preferred IMF-fixdate
 * `Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`, a
 * two-digit year more than 50 years ahead of `nowMs` is read in the previous century) and asctime
 * (`Sun Nov  6 08:49:37 1994`) forms that recipients must accept.
 */
export function parseHttpDate(text: string, nowMs: number): Parsed {
  if (text.length === 0) return fail('empty');
  let year: number;
  let month: number;
  let day: number;
  let time: [number, number, number] | undefined;
  const comma = text.indexOf(',');
  if (comma === 3 && text.length === 29) {
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    if (!SHORT_DAYS.includes(text.slice(0, 3)) || text[4] !== ' ' || !allDigits(text, 5, 7) || text[7] !== ' ') {
      return fail('invalid_date');
    }
    month = MONTHS.indexOf(text.slice(8, 11)) + 1;
    if (month === 0 || text[11] !== ' ' || !allDigits(text, 12, 16) || text[16] !== ' ') return fail('invalid_date');
    day = digitsValue(text, 5, 7);
    year = digitsValue(text, 12, 16);
    time = timeAt(text, 17);
    if (text.slice(25) !== ' GMT') return fail('invalid_date');
  } else if (comma > 3 && LONG_DAYS.includes(text.slice(0, comma)) && text.length === comma + 24) {
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    const at = comma + 2;
    if (text[comma + 1] !== ' ' || !allDigits(text, at, at + 2) || text[at + 2] !== '-') return fail('invalid_date');
    month = MONTHS.indexOf(text.slice(at + 3, at + 6)) + 1;
    if (month === 0 || text[at + 6] !== '-' || !allDigits(text, at + 7, at + 9) || text[at + 9] !== ' ') {
      return fail('invalid_date');
    }
    day = digitsValue(text, at, at + 2);
    const nowYear = new Date(Number.isFinite(nowMs) ? nowMs : 0).getUTCFullYear();
    year = Math.floor(nowYear / 100) * 100 + digitsValue(text, at + 7, at + 9);
    if (year > nowYear + 50) year -= 100;
    time = timeAt(text, at + 10);
    if (text.slice(at + 18) !== ' GMT') return fail('invalid_date');
  } else if (comma < 0 && text.length === 24) {
    // asctime: Sun Nov  6 08:49:37 1994
    if (!SHORT_DAYS.includes(text.slice(0, 3)) || text[3] !== ' ' || text[7] !== ' ') return fail('invalid_date');
    month = MONTHS.indexOf(text.slice(4, 7)) + 1;
    const dayText = text[8] === ' ' ? text.slice(9, 10) : text.slice(8, 10);
    if (month === 0 || !allDigits(dayText, 0, dayText.length) || text[10] !== ' ' || text[19] !== ' ') {
      return fail('invalid_date');
    }
    if (!allDigits(text, 20, 24)) return fail('invalid_date');
    day = digitsValue(dayText, 0, dayText.length);
    year = digitsValue(text, 20, 24);
    time = timeAt(text, 11);
  } else {
    return fail('invalid_date');
  }
  if (time === undefined) return fail('invalid_date');
  const millis = utcMillis(year, month, day, time[0], time[1], time[2]);
  return millis === undefined ? fail('invalid_date') : ok(millis);
}

/** Seconds from `nowMs` until `atMs` (0 when it has passed), refusing absurd distances. */
export function secondsUntil(atMs: number, nowMs: number): Parsed {
  const seconds = (atMs - nowMs) / 1000;
  if (!Number.isFinite(seconds)) return fail('invalid_date');
  if (seconds > MAX_SECONDS) return fail('out_of_range');
  return ok(Math.max(0, seconds));
}

/** `Retry-After`: delay-seconds or an HTTP-date, as seconds from `nowMs`. */
export function parseRetryAfter(text: string, nowMs: number): Parsed {
  if (text.length === 0) return fail('empty');
  if (isDigit(text.charCodeAt(0))) {
    const seconds = parseNonNegativeInteger(text);
    if (!seconds.ok) return seconds;
    return seconds.value > MAX_SECONDS ? fail('out_of_range') : seconds;
  }
  const date = parseHttpDate(text, nowMs);
  return date.ok ? secondsUntil(date.value, nowMs) : date;
}

/** `retry-after-ms` (sent by OpenAI): a non-negative decimal number of milliseconds, as seconds. */
export function parseRetryAfterMs(text: string): Parsed {
  const millis = parseNonNegativeDecimal(text);
  if (!millis.ok) return millis;
  const seconds = millis.value / 1000;
  return seconds > MAX_SECONDS ? fail('out_of_range') : ok(seconds);
}
