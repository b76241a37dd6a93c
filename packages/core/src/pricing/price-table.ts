import { BUILT_IN_PRICES } from './built-in-prices.js';
import type { ModelPrice, PriceSource, PriceTableData, PriceTier } from './price-types.js';

/**
 * Thrown for an invalid price table. The message names the file (when there is one) and the path
 * of the bad entry, e.g. `price table /etc/prices.json: providers.openai["gpt-x"].output: must be
 * a finite number >= 0`.
 */
export class PriceTableError extends Error {
  override name = 'PriceTableError';
  /** The file the table was read from, when given. */
  readonly file: string | undefined;
  /** Path of the bad value inside the table (`''` for the whole table). */
  readonly path: string;

  constructor(problem: string, path: string, file?: string) {
    super(`price table${file === undefined ? '' : ` ${file}`}: ${path === '' ? '' : `${path}: `}${problem}`);
    this.file = file;
    this.path = path;
  }
}

/** Options of {@link parsePriceTable}. */
export interface ParsePriceTableOptions {
  /** The file the table was read from, named in errors. */
  file?: string;
  /** Require `source` on every entry (the built-in table does). Default false. */
  requireSource?: boolean;
}

/** Bounds that keep a table (and the memory it takes) reasonable. */
const MAX_TEXT_LENGTH = 4 * 1024 * 1024;
const MAX_MODELS = 10_000;
const MAX_TIERS = 8;
const MAX_PROVIDER_LENGTH = 64;
const MAX_MODEL_KEY_LENGTH = 256;
const MAX_URL_LENGTH = 2048;
const MAX_VIA_LENGTH = 1024;

const TABLE_KEYS = new Set(['version', 'providers']);
const PRICE_KEYS = ['input', 'cachedInput', 'cacheCreationInput', 'output'] as const;
const ENTRY_KEYS = new Set<string>([...PRICE_KEYS, 'tiers', 'source']);
const TIER_KEYS = new Set<string>([...PRICE_KEYS, 'aboveInputTokens']);
const SOURCE_KEYS = new Set(['url', 'readOn', 'via']);

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `a.b["c-d"]`: identifier-like keys with a dot, others quoted. */
function child(path: string, key: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key);
  if (plain) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A validator bound to one file, so every error names it. */
class Validator {
  constructor(
    private readonly file: string | undefined,
    private readonly requireSource: boolean,
  ) {}

  fail(path: string, problem: string): never {
    throw new PriceTableError(problem, path, this.file);
  }

  /** A plain object; with `allowed`, every key must be one of them. */
  object(value: unknown, path: string, allowed?: ReadonlySet<string>): PlainObject {
    if (!isPlainObject(value)) this.fail(path, 'must be an object');
    if (allowed !== undefined) {
      for (const key of Object.keys(value)) {
        if (!allowed.has(key)) this.fail(child(path, key), `unknown key ${JSON.stringify(key)}`);
      }
    }
    return value;
  }

  price(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.fail(path, 'must be a finite number >= 0 (USD per million tokens)');
    }
    return value;
  }

  table(value: unknown): PriceTableData {
    const table = this.object(value, '', TABLE_KEYS);
    if (table.version !== undefined && table.version !== 1) this.fail('version', 'must be 1');
    const providersIn = this.object(table.providers, 'providers');
    let models = 0;
    const providers: Record<string, Record<string, ModelPrice>> = {};
    for (const [provider, modelsIn] of Object.entries(providersIn)) {
      const providerPath = child('providers', provider);
      if (provider.length === 0 || provider.length > MAX_PROVIDER_LENGTH || !/^[a-z0-9._-]+$/.test(provider)) {
        this.fail(providerPath, `provider names are 1 to ${MAX_PROVIDER_LENGTH} of a-z 0-9 . _ -`);
      }
      if (provider === '__proto__') this.fail(providerPath, 'is a reserved name');
      const modelsObject = this.object(modelsIn, providerPath);
      const entries: Record<string, ModelPrice> = {};
      for (const [model, entry] of Object.entries(modelsObject)) {
        const modelPath = child(providerPath, model);
        this.modelKey(model, modelPath);
        models += 1;
        if (models > MAX_MODELS) this.fail(providerPath, `more than ${MAX_MODELS} models in the table`);
        entries[model] = this.entry(entry, modelPath);
      }
      providers[provider] = entries;
    }
    return { version: 1, providers };
  }

  private modelKey(model: string, path: string): void {
    if (model.length === 0 || model.length > MAX_MODEL_KEY_LENGTH) {
      this.fail(path, `model names are 1 to ${MAX_MODEL_KEY_LENGTH} characters`);
    }
    // Assigning it would set the prototype of the object being built instead of adding a model.
    if (model === '__proto__') this.fail(path, 'is a reserved name');
    for (let i = 0; i < model.length; i += 1) {
      const c = model.charCodeAt(i);
      // Lookups lowercase the reported name and drop everything up to the last '/', so such keys never match.
      if (c <= 0x20 || c === 0x7f || c === 0x2f || (c >= 0x41 && c <= 0x5a)) {
        this.fail(path, "model names are lowercase, without spaces or '/' (as looked up)");
      }
    }
  }

  private prices(input: PlainObject, path: string): Omit<ModelPrice, 'tiers' | 'source'> {
    const out: { -readonly [K in (typeof PRICE_KEYS)[number]]?: number } = {};
    for (const key of PRICE_KEYS) {
      const value = input[key];
      if (value === undefined) {
        if (key === 'input' || key === 'output') this.fail(child(path, key), 'is required');
        continue;
      }
      out[key] = this.price(value, child(path, key));
    }
    return out as Omit<ModelPrice, 'tiers' | 'source'>;
  }

  private entry(value: unknown, path: string): ModelPrice {
    const entry = this.object(value, path, ENTRY_KEYS);
    const base = this.prices(entry, path);
    const result: { -readonly [K in keyof ModelPrice]: ModelPrice[K] } = { ...base };
    if (entry.tiers !== undefined) result.tiers = this.tiers(entry.tiers, child(path, 'tiers'), base);
    if (entry.source !== undefined) result.source = this.source(entry.source, child(path, 'source'));
    else if (this.requireSource) this.fail(child(path, 'source'), 'is required (url and readOn)');
    return Object.freeze(result);
  }

  private tiers(value: unknown, path: string, base: Omit<ModelPrice, 'tiers' | 'source'>): readonly PriceTier[] {
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    if (value.length > MAX_TIERS) this.fail(path, `at most ${MAX_TIERS} tiers`);
    const tiers: PriceTier[] = [];
    let previous = 0;
    value.forEach((item, index) => {
      const tierPath = `${path}[${index}]`;
      const tier = this.object(item, tierPath, TIER_KEYS);
      const above = tier.aboveInputTokens;
      if (typeof above !== 'number' || !Number.isSafeInteger(above) || above <= 0) {
        this.fail(child(tierPath, 'aboveInputTokens'), 'must be a positive integer (prompt tokens)');
      }
      if (above <= previous) this.fail(child(tierPath, 'aboveInputTokens'), 'tiers must be in ascending order');
      previous = above;
      const prices = this.prices(tier, tierPath);
      // A tier prices exactly the token types its entry prices: no silent fallback to base prices.
      for (const key of ['cachedInput', 'cacheCreationInput'] as const) {
        if ((base[key] === undefined) !== (prices[key] === undefined)) {
          this.fail(
            child(tierPath, key),
            base[key] === undefined ? 'is not priced by the entry itself' : 'is required (the entry prices it)',
          );
        }
      }
      tiers.push(Object.freeze({ aboveInputTokens: above, ...prices }));
    });
    return Object.freeze(tiers);
  }

  private source(value: unknown, path: string): PriceSource {
    const source = this.object(value, path, SOURCE_KEYS);
    const { url, readOn, via } = source;
    if (
      typeof url !== 'string' ||
      url.length > MAX_URL_LENGTH ||
      !(url.startsWith('https://') || url.startsWith('http://'))
    ) {
      this.fail(child(path, 'url'), `must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
    }
    if (typeof readOn !== 'string' || !isIsoDate(readOn)) this.fail(child(path, 'readOn'), 'must be a date YYYY-MM-DD');
    if (via !== undefined && (typeof via !== 'string' || via.length === 0 || via.length > MAX_VIA_LENGTH)) {
      this.fail(child(path, 'via'), `must be a non-empty string of at most ${MAX_VIA_LENGTH} characters`);
    }
    return Object.freeze(via === undefined ? { url, readOn } : { url, readOn, via });
  }
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Validates a price table given as an object or as the text of a JSON file, and returns a frozen,
 * normalised copy.
 *
 * Format: `{ "version": 1, "providers": { "<provider>": { "<model>": { "input": 0.15,
 * "cachedInput": 0.075, "cacheCreationInput": 0.1875, "output": 0.6, "tiers": [...], "source":
 * { "url": "...", "readOn": "YYYY-MM-DD" } } } } }`, prices in USD per million tokens.
 *
 * @throws PriceTableError naming the file (when given) and the path of the first bad value; unknown
 *   keys are rejected with their name.
 */
export function parsePriceTable(source: unknown, options: ParsePriceTableOptions = {}): PriceTableData {
  const validator = new Validator(options.file, options.requireSource === true);
  let value = source;
  if (typeof source === 'string') {
    if (source.length > MAX_TEXT_LENGTH) validator.fail('', `is larger than ${MAX_TEXT_LENGTH} characters`);
    try {
      value = JSON.parse(source);
    } catch (error) {
      validator.fail('', `is not valid JSON (${(error as Error).message})`);
    }
  }
  return validator.table(value);
}

/**
 * A validated price table with constant-time lookups. Immutable: {@link PriceTable.withOverrides}
 * returns a new table.
 */
export class PriceTable {
  private constructor(private readonly byProvider: ReadonlyMap<string, ReadonlyMap<string, ModelPrice>>) {}

  /** A table of validated data (from {@link parsePriceTable}). */
  static fromData(data: PriceTableData): PriceTable {
    const byProvider = new Map<string, Map<string, ModelPrice>>();
    for (const [provider, models] of Object.entries(data.providers)) {
      byProvider.set(provider, new Map(Object.entries(models)));
    }
    return new PriceTable(byProvider);
  }

  /** The entry of `provider` for an exact model key (already normalised), or undefined. */
  lookup(provider: string, modelKey: string): ModelPrice | undefined {
    return this.byProvider.get(provider)?.get(modelKey);
  }

  /**
   * A new table with the entries of `overrides` added, each replacing the whole entry of the same
   * provider and model (prices are never mixed across sources).
   */
  withOverrides(overrides: PriceTableData): PriceTable {
    const merged = new Map<string, Map<string, ModelPrice>>();
    for (const [provider, models] of this.byProvider) merged.set(provider, new Map(models));
    for (const [provider, models] of Object.entries(overrides.providers)) {
      let target = merged.get(provider);
      if (target === undefined) {
        target = new Map();
        merged.set(provider, target);
      }
      for (const [model, price] of Object.entries(models)) target.set(model, price);
    }
    return new PriceTable(merged);
  }

  /** Every entry, for listing and tests. */
  *entries(): IterableIterator<{ provider: string; model: string; price: ModelPrice }> {
    for (const [provider, models] of this.byProvider) {
      for (const [model, price] of models) yield { provider, model, price };
    }
  }
}

let builtIn: PriceTable | undefined;

/** The built-in table (validated once, on first use). */
export function builtInPriceTable(): PriceTable {
  builtIn ??= PriceTable.fromData(parsePriceTable(BUILT_IN_PRICES, { requireSource: true }));
  return builtIn;
}

/**
 * The built-in table merged with a user's table (an object or the text of a JSON file), which
 * overrides or extends it entry by entry. Without `overrides`, the built-in table.
 *
 * @throws PriceTableError for an invalid user table, naming `options.file` and the entry.
 */
export function loadPriceTable(overrides?: unknown, options: { file?: string } = {}): PriceTable {
  if (overrides === undefined) return builtInPriceTable();
  return builtInPriceTable().withOverrides(parsePriceTable(overrides, { file: options.file }));
}
