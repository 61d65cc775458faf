/** Reading the collector's own metrics (Prometheus text, as served on its :8888/metrics). */

export interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Every sample of a Prometheus text exposition, comments skipped. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const name = brace === -1 ? line.slice(0, line.indexOf(' ')) : line.slice(0, brace);
    const labels: Record<string, string> = {};
    if (brace !== -1) {
      const body = line.slice(brace + 1, line.lastIndexOf('}'));
      for (const match of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        const [, key, value] = match;
        if (key !== undefined && value !== undefined) labels[key] = value;
      }
    }
    samples.push({ name, labels, value: Number(line.slice(line.lastIndexOf(' ') + 1)) });
  }
  return samples;
}

/** The sum of one metric over the samples whose labels `match` accepts. */
export function sumSamples(
  samples: readonly Sample[],
  name: string,
  match: (labels: Record<string, string>) => boolean = () => true,
): number {
  return samples
    .filter((sample) => sample.name === name && !Number.isNaN(sample.value) && match(sample.labels))
    .reduce((total, sample) => total + sample.value, 0);
}

/** Sums a Prometheus counter over the series carrying every given label value. */
export function metricSum(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  return sumSamples(parsePrometheus(text), name, (own) => Object.entries(labels).every(([key, value]) => own[key] === value));
}
