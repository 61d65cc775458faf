/** Pieces the RESULTS.md sections share. */

/** A figure with `digits` decimals; 'n/a' when there is none (null, NaN, infinite). */
export function fmt(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

/** The commands a run recorded, as a section's closing code block. */
export function exactCommands(commands: Readonly<Record<string, string>>): string[] {
  const lines = ['### Exact commands', '', '```'];
  for (const [name, command] of Object.entries(commands)) lines.push(`# ${name}`, command);
  lines.push('```', '');
  return lines;
}
