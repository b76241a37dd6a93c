import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { type LlmMetrics, PriceTable, PriceTableError } from '@llm-otel/core';
import { LlmOtelConfigError } from './config.js';

/** The environment variable naming a JSON price table file read at start-up. */
export const PRICES_FILE_ENV = 'LLM_OTEL_PRICES_FILE';

/**
 * Bytes read at most from a price table file. Core accepts up to 4 Mi characters of JSON; at up to
 * 4 bytes a character this bound rejects nothing core would accept, and stops a wrong path (a log,
 * a disk image) from being read whole into memory.
 */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Where register()'s prices come from: the `prices` option, the file of `LLM_OTEL_PRICES_FILE`, or nowhere. */
export type PriceSourceConfig = { kind: 'option'; prices: object } | { kind: 'file'; file: string } | { kind: 'none' };

/**
 * The option wins over the variable, as every register() option overrides its variable. An empty
 * or blank variable counts as unset.
 */
export function priceSource(option: object | undefined, env: Record<string, string | undefined>): PriceSourceConfig {
  if (option !== undefined) return { kind: 'option', prices: option };
  const file = env[PRICES_FILE_ENV]?.trim();
  return file === undefined || file === '' ? { kind: 'none' } : { kind: 'file', file };
}

/**
 * The text of a price table file. Only regular files are read (a FIFO or device would block
 * start-up or never end).
 *
 * @throws LlmOtelConfigError naming the variable, the file and the OS reason.
 */
function readPriceFile(file: string): string {
  const failed = (reason: string): never => {
    throw new LlmOtelConfigError(`${PRICES_FILE_ENV}: cannot read the price table file ${file}: ${reason}`);
  };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return failed((error as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return failed('not a regular file');
    if (stat.size > MAX_FILE_BYTES) return failed(`larger than ${MAX_FILE_BYTES} bytes`);
    return readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof LlmOtelConfigError) throw error;
    return failed((error as Error).message);
  } finally {
    closeSync(fd);
  }
}

/**
 * Installs the prices of `source` in the recording API (core's `setPriceTable()`), and returns how
 * to put back the table that was in use before, or undefined when nothing was changed.
 *
 * @throws LlmOtelConfigError naming the option or variable, the file and the bad entry (with core's
 *   `PriceTableError` as its `cause`); the table in use is then kept.
 */
export function applyPrices(llmMetrics: LlmMetrics, source: PriceSourceConfig): (() => void) | undefined {
  if (source.kind === 'none') return undefined;
  const previous = llmMetrics.getPriceTable();
  const where = source.kind === 'file' ? PRICES_FILE_ENV : 'prices';
  try {
    if (source.kind === 'file') llmMetrics.setPriceTable(readPriceFile(source.file), { file: source.file });
    else llmMetrics.setPriceTable(source.prices);
  } catch (error) {
    if (error instanceof PriceTableError) throw new LlmOtelConfigError(`${where}: ${error.message}`, { cause: error });
    throw error;
  }
  const installed = llmMetrics.getPriceTable();
  return () => {
    // Only when the table is still ours: a table the app set since then is the app's to keep.
    if (llmMetrics.getPriceTable() === installed) llmMetrics.setPriceTable(previous);
  };
}

/** True for a {@link PriceTable} built by core (e.g. with `loadPriceTable()`). */
export function isPriceTable(value: unknown): value is PriceTable {
  return value instanceof PriceTable;
}
