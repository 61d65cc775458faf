/** The collector's own Prometheus metrics, read as snapshots: receivers, processors, exporters. */
import { sleep } from '../lib/process.ts';
import type { Collector } from './collector.ts';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    const name = brace === -1 ? line.slice(0, line.indexOf(' ')) : line.slice(0, brace);
    const labels: Record<string, string> = {};
    if (brace !== -1) {
      const body = line.slice(brace + 1, line.lastIndexOf('}'));
      for (const match of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        const key = match[1];
        const value = match[2];
        if (key !== undefined && value !== undefined) labels[key] = value;
      }
    }
    samples.push({ name, labels, value: Number(line.slice(space + 1)) });
  }
  return samples;
}

export interface ExporterCounters {
  readonly sent: number;
  readonly sendFailed: number;
  readonly enqueueFailed: number;
  readonly queueSize: number | null;
  readonly inFlight: number;
}

export interface ReceiverCounters {
  readonly accepted: number;
  readonly refused: number;
  readonly failed: number;
}

export interface Snapshot {
  /** Every trace receiver by name: `otlp` is where the load arrives; others are internal hops. */
  readonly receivers: Map<string, ReceiverCounters>;
  readonly processorIn: number;
  readonly processorOut: number;
  /** Every trace exporter the collector reports, vendor or internal (e.g. a spool). */
  readonly exporters: Map<string, ExporterCounters>;
}

export const EXTERNAL_RECEIVER = 'otlp';

function sum(samples: readonly Sample[], name: string, match: (labels: Record<string, string>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && match(s.labels)).reduce((total, s) => total + s.value, 0);
}

export async function snapshot(collector: Collector): Promise<Snapshot> {
  const samples = parsePrometheus(await (await fetch(collector.metricsUrl)).text());
  const traces = (labels: Record<string, string>): boolean => labels['otel_signal'] === undefined || labels['otel_signal'] === 'traces';
  const spanSeries = ['otelcol_exporter_sent_spans', 'otelcol_exporter_send_failed_spans', 'otelcol_exporter_enqueue_failed_spans'];
  const exporterNames = new Set<string>();
  for (const s of samples) {
    const exporter = s.labels['exporter'];
    if (exporter === undefined) continue;
    if (spanSeries.includes(s.name) || ((s.name === 'otelcol_exporter_queue_size' || s.name === 'otelcol_exporter_in_flight_requests') && s.labels['data_type'] === 'traces')) exporterNames.add(exporter);
  }
  const exporters = new Map<string, ExporterCounters>();
  for (const exporter of exporterNames) {
    const own = (labels: Record<string, string>): boolean => labels['exporter'] === exporter;
    const ownTraces = (labels: Record<string, string>): boolean => own(labels) && labels['data_type'] === 'traces';
    const queue = samples.find((s) => s.name === 'otelcol_exporter_queue_size' && ownTraces(s.labels));
    exporters.set(exporter, {
      sent: sum(samples, 'otelcol_exporter_sent_spans', own),
      sendFailed: sum(samples, 'otelcol_exporter_send_failed_spans', own),
      enqueueFailed: sum(samples, 'otelcol_exporter_enqueue_failed_spans', own),
      queueSize: queue === undefined ? null : queue.value,
      inFlight: sum(samples, 'otelcol_exporter_in_flight_requests', ownTraces),
    });
  }
  const receiverNames = new Set(samples.filter((s) => s.name.startsWith('otelcol_receiver_') && s.name.endsWith('_spans')).map((s) => s.labels['receiver'] ?? ''));
  const receivers = new Map<string, ReceiverCounters>();
  for (const receiver of receiverNames) {
    const own = (labels: Record<string, string>): boolean => labels['receiver'] === receiver;
    receivers.set(receiver, {
      accepted: sum(samples, 'otelcol_receiver_accepted_spans', own),
      refused: sum(samples, 'otelcol_receiver_refused_spans', own),
      failed: sum(samples, 'otelcol_receiver_failed_spans', own),
    });
  }
  return {
    receivers,
    processorIn: sum(samples, 'otelcol_processor_incoming_items', traces),
    processorOut: sum(samples, 'otelcol_processor_outgoing_items', traces),
    exporters,
  };
}

export const ZERO_EXPORTER: ExporterCounters = { sent: 0, sendFailed: 0, enqueueFailed: 0, queueSize: null, inFlight: 0 };
export const ZERO_RECEIVER: ReceiverCounters = { accepted: 0, refused: 0, failed: 0 };

/** No exporter has a queue or a request in flight. */
export const isIdle = (snap: Snapshot): boolean => [...snap.exporters.values()].every((e) => (e.queueSize ?? 0) === 0 && e.inFlight === 0);

/** Waits until no exporter has a queue or a request in flight (leftovers of the warm-up or of the
 * step before), so each step starts from an idle collector. */
export async function waitIdle(collector: Collector, timeoutS: number): Promise<boolean> {
  const deadline = Date.now() + timeoutS * 1000;
  while (Date.now() < deadline) {
    const snap = await snapshot(collector);
    if (isIdle(snap)) return true;
    await sleep(250);
  }
  return false;
}
