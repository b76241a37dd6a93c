/** The names of variants and experiments: they become label values, so short and plain. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Checks a declaration object (`defineVariant()`, `defineExperiment()`): an object holding only
 * `keys`, with a valid `name`; returns the name. Errors are made by `error` (which names the API).
 * The pattern runs on the app's declarations, never on request data.
 */
export function checkedSpecName(
  spec: unknown,
  keys: ReadonlySet<string>,
  needs: string,
  error: (message: string) => Error,
): string {
  if (typeof spec !== 'object' || spec === null) throw error(`needs an object with ${needs}`);
  for (const key of Object.keys(spec))
    if (!keys.has(key)) throw error(`unknown key ${JSON.stringify(key)} (expected ${[...keys].join(', ')})`);
  const { name } = spec as { name?: unknown };
  if (typeof name !== 'string' || !NAME_PATTERN.test(name))
    throw error(
      `name ${typeof name === 'string' ? JSON.stringify(name.slice(0, 80)) : String(name)} must be 1 to 64 letters, digits, _ . : or -, starting with a letter or digit`,
    );
  return name;
}
