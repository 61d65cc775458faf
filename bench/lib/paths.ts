/** Where the benchmarks read and write. */
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BENCH_DIR = path.join(ROOT, 'bench');
/** Scratch: logs, profiles, the chart's input (ignored by git). */
export const OUT_DIR = path.join(BENCH_DIR, 'out');
/** Results, notes and the generated RESULTS.md: documents, kept out of the code folder. */
export const DOCS_DIR = path.join(ROOT, 'docs', 'bench');
export const RESULTS_DIR = path.join(DOCS_DIR, 'results');
