/** Where the benchmarks read and write. */
import path from 'node:path';

import { repoRoot } from '@cruddur/testkit/paths';

export const BENCH_DIR = path.join(repoRoot, 'bench');
/** Scratch: logs, profiles, the chart's input (ignored by git). */
export const OUT_DIR = path.join(BENCH_DIR, 'out');
/** Results, notes and the generated RESULTS.md: documents, kept out of the code folder. */
export const DOCS_DIR = path.join(repoRoot, 'docs', 'bench');
export const RESULTS_DIR = path.join(DOCS_DIR, 'results');
