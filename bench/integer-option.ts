/**
 * An integer flag or environment value of a benchmark (`2_000_000` and `2,000,000` accepted), `fallback`
 * when missing or empty; anything else that is not an integer >= `min` is an error naming `name`.
 */
export function integerOption(name: string, raw: string | undefined, fallback: number, min = 0): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isInteger(value) || value < min) throw new Error(`${name}: expected an integer >= ${min}, got "${raw}"`);
  return value;
}
