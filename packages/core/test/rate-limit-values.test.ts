import { describe, expect, it } from 'vitest';
import {
  type Parsed,
  parseGoDuration,
  parseHttpDate,
  parseNonNegativeInteger,
  parseRetryAfter,
  parseRetryAfterMs,
  parseRfc3339,
  trimOptionalWhitespace,
} from '../src/internal.js';

const NOW = Date.parse('2026-11-30T14:40:00Z');

function value(parsed: Parsed): number {
  if (!parsed.ok) throw new Error(`refused: ${parsed.reason}`);
  return parsed.value;
}
function reason(parsed: Parsed): string {
  return parsed.ok ? `accepted ${parsed.value}` : parsed.reason;
}

describe('trimOptionalWhitespace', () => {
  it('removes only leading and trailing SP and HTAB, as HTTP field values are read', () => {
    expect(trimOptionalWhitespace(' \t12ms\t ')).toBe('12ms');
    expect(trimOptionalWhitespace('\n12\n')).toBe('\n12\n');
    expect(trimOptionalWhitespace('1 2')).toBe('1 2');
    expect(trimOptionalWhitespace('   ')).toBe('');
  });
});

describe('parseNonNegativeInteger', () => {
  it('reads counts', () => {
    expect(value(parseNonNegativeInteger('60000'))).toBe(60_000);
    expect(value(parseNonNegativeInteger('0'))).toBe(0);
    expect(value(parseNonNegativeInteger('007'))).toBe(7);
    expect(value(parseNonNegativeInteger('999999999999999'))).toBe(999_999_999_999_999);
  });

  it.each([
    ['', 'empty'],
    ['-1', 'invalid_number'],
    ['+1', 'invalid_number'],
    ['1.5', 'invalid_number'],
    ['1e3', 'invalid_number'],
    ['1e309', 'invalid_number'],
    ['NaN', 'invalid_number'],
    ['Infinity', 'invalid_number'],
    ['0x10', 'invalid_number'],
    ['1 000', 'invalid_number'],
    ['12, 13', 'invalid_number'],
    ['١٢', 'invalid_number'],
    ['1000000000000000', 'out_of_range'],
  ])('refuses %j (%s)', (text, expected) => {
    expect(reason(parseNonNegativeInteger(text))).toBe(expected);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['12ms', 0.012],
    ['1s', 1],
    ['6m0s', 360],
    ['1h2m3.5s', 3723.5],
    ['20.5s', 20.5],
    ['1m30.25s', 90.25],
    ['2h', 7200],
    ['500us', 0.0005],
    ['500µs', 0.0005],
    ['1s500ms', 1.5],
    ['100ns', 1e-7],
  ])('%s is %d seconds', (text, seconds) => {
    expect(value(parseGoDuration(text))).toBeCloseTo(seconds, 12);
  });

  it.each([
    ['', 'empty'],
    ['12', 'invalid_duration'],
    ['-1s', 'invalid_duration'],
    ['+1s', 'invalid_duration'],
    ['5m5m', 'invalid_duration'],
    ['1s1m', 'invalid_duration'],
    ['1us1µs', 'invalid_duration'],
    ['1d', 'invalid_duration'],
    ['1S', 'invalid_duration'],
    ['.5s', 'invalid_duration'],
    ['5.s', 'invalid_duration'],
    ['1.2.3s', 'invalid_duration'],
    ['1 s', 'invalid_duration'],
    ['s', 'invalid_duration'],
    ['NaN', 'invalid_duration'],
    ['Infinitys', 'invalid_duration'],
    ['1e309s', 'invalid_duration'],
    ['99999999999h', 'out_of_range'],
  ])('refuses %j (%s)', (text, expected) => {
    expect(reason(parseGoDuration(text))).toBe(expected);
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2026-11-30T14:40:30Z', '2026-11-30T14:40:30.000Z'],
    ['2026-11-30t14:40:30z', '2026-11-30T14:40:30.000Z'],
    ['2026-11-30T14:40:30.5Z', '2026-11-30T14:40:30.500Z'],
    ['2026-11-30T15:40:30+01:00', '2026-11-30T14:40:30.000Z'],
    ['2026-11-30T09:10:30-05:30', '2026-11-30T14:40:30.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('%s', (text, iso) => {
    expect(new Date(value(parseRfc3339(text))).toISOString()).toBe(iso);
  });

  it.each([
    '',
    '2026-11-30',
    '2026-11-30T14:40:30',
    '2026-11-30T14:40Z',
    '2026-13-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-11-31T00:00:00Z',
    '2026-11-30T24:00:00Z',
    '2026-11-30T14:60:00Z',
    '2026-11-30T14:40:30.Z',
    '2026-11-30T14:40:30+0100',
    '2026-11-30T14:40:30+24:00',
    'Mon, 30 Nov 2026 14:40:30 GMT',
    '20261130T144030Z',
    '-2026-11-30T14:40:30Z',
  ])('refuses %j', (text) => {
    expect(reason(parseRfc3339(text))).toMatch(/^(invalid_date|empty)$/);
  });
});

describe('parseHttpDate', () => {
  it('reads the three HTTP-date forms', () => {
    const expected = Date.parse('1994-11-06T08:49:37Z');
    expect(value(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', NOW))).toBe(expected);
    expect(value(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW))).toBe(expected);
    expect(value(parseHttpDate('Sun Nov  6 08:49:37 1994', NOW))).toBe(expected);
    // A two-digit year is at most 50 years ahead.
    expect(new Date(value(parseHttpDate('Monday, 30-Nov-26 14:40:00 GMT', NOW))).getUTCFullYear()).toBe(2026);
    expect(new Date(value(parseHttpDate('Monday, 30-Nov-99 14:40:00 GMT', NOW))).getUTCFullYear()).toBe(1999);
  });

  it.each([
    'Sun, 06 Nov 1994 08:49:37 UTC',
    'Sun, 6 Nov 1994 08:49:37 GMT',
    'Sun, 06 Foo 1994 08:49:37 GMT',
    'Xyz, 06 Nov 1994 08:49:37 GMT',
    'Sun, 31 Nov 1994 08:49:37 GMT',
    'Sun, 06 Nov 1994 25:49:37 GMT',
    'Sun,  06 Nov 1994 08:49:37 GMT',
    'Funday, 06-Nov-94 08:49:37 GMT',
    'Sun Nov 6 08:49:37 1994',
    '2026-11-30T14:40:30Z',
    'tomorrow',
  ])('refuses %j', (text) => {
    expect(reason(parseHttpDate(text, NOW))).toBe('invalid_date');
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates as seconds from now', () => {
    expect(value(parseRetryAfter('20', NOW))).toBe(20);
    expect(value(parseRetryAfter('0', NOW))).toBe(0);
    expect(value(parseRetryAfter('Mon, 30 Nov 2026 14:40:30 GMT', NOW))).toBe(30);
    // A date in the past: retry now.
    expect(value(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW))).toBe(0);
  });

  it.each([
    ['-5', 'invalid_date'],
    ['1.5', 'invalid_number'],
    ['1e309', 'invalid_number'],
    ['9999999999', 'out_of_range'],
    ['Fri, 31 Dec 9999 23:59:59 GMT', 'out_of_range'],
    ['soon', 'invalid_date'],
    ['', 'empty'],
  ])('refuses %j (%s)', (text, expected) => {
    expect(reason(parseRetryAfter(text, NOW))).toBe(expected);
  });

  it('reads retry-after-ms as seconds', () => {
    expect(value(parseRetryAfterMs('1500'))).toBe(1.5);
    expect(value(parseRetryAfterMs('20.5'))).toBeCloseTo(0.0205, 12);
    expect(reason(parseRetryAfterMs('-1'))).toBe('invalid_number');
    expect(reason(parseRetryAfterMs('.5'))).toBe('invalid_number');
    expect(reason(parseRetryAfterMs('5.'))).toBe('invalid_number');
    expect(reason(parseRetryAfterMs('NaN'))).toBe('invalid_number');
  });
});
