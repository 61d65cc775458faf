/** Benchmark knobs from the environment. */

/** A number from the environment; unset or empty: `fallback`. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
}

/** The names a comma list in the environment picks out of `all` (others are ignored); unset: all. */
export function envList<T extends string>(name: string, all: readonly T[]): T[] {
  return (process.env[name] ?? all.join(','))
    .split(',')
    .map((item) => item.trim())
    .filter((item): item is T => (all as readonly string[]).includes(item));
}
