/** The collector's own Prometheus metrics, read as snapshots: receivers, processors, exporters. */
import { parsePrometheus, sumSamples } from '@cruddur/testkit/metrics';
import { sleep } from '@cruddur/testkit/processes';
import type { Collector } from './collector.ts';

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

export async function snapshot(collector: Collector): Promise<Snapshot> {
  const samples = parsePrometheus(await (await fetch(collector.metricsUrl)).text());
  const traces = (labels: Record<string, string>): boolean => labels.otel_signal === undefined || labels.otel_signal === 'traces';
  const spanSeries = ['otelcol_exporter_sent_spans', 'otelcol_exporter_send_failed_spans', 'otelcol_exporter_enqueue_failed_spans'];
  const exporterNames = new Set<string>();
  for (const s of samples) {
    const exporter = s.labels.exporter;
    if (exporter === undefined) continue;
    if (
      spanSeries.includes(s.name) ||
      ((s.name === 'otelcol_exporter_queue_size' || s.name === 'otelcol_exporter_in_flight_requests') && s.labels.data_type === 'traces')
    )
      exporterNames.add(exporter);
  }
  const exporters = new Map<string, ExporterCounters>();
  for (const exporter of exporterNames) {
    const own = (labels: Record<string, string>): boolean => labels.exporter === exporter;
    const ownTraces = (labels: Record<string, string>): boolean => own(labels) && labels.data_type === 'traces';
    const queue = samples.find((s) => s.name === 'otelcol_exporter_queue_size' && ownTraces(s.labels));
    exporters.set(exporter, {
      sent: sumSamples(samples, 'otelcol_exporter_sent_spans', own),
      sendFailed: sumSamples(samples, 'otelcol_exporter_send_failed_spans', own),
      enqueueFailed: sumSamples(samples, 'otelcol_exporter_enqueue_failed_spans', own),
      queueSize: queue === undefined ? null : queue.value,
      inFlight: sumSamples(samples, 'otelcol_exporter_in_flight_requests', ownTraces),
    });
  }
  const receiverNames = new Set(
    samples.filter((s) => s.name.startsWith('otelcol_receiver_') && s.name.endsWith('_spans')).map((s) => s.labels.receiver ?? ''),
  );
  const receivers = new Map<string, ReceiverCounters>();
  for (const receiver of receiverNames) {
    const own = (labels: Record<string, string>): boolean => labels.receiver === receiver;
    receivers.set(receiver, {
      accepted: sumSamples(samples, 'otelcol_receiver_accepted_spans', own),
      refused: sumSamples(samples, 'otelcol_receiver_refused_spans', own),
      failed: sumSamples(samples, 'otelcol_receiver_failed_spans', own),
    });
  }
  return {
    receivers,
    processorIn: sumSamples(samples, 'otelcol_processor_incoming_items', traces),
    processorOut: sumSamples(samples, 'otelcol_processor_outgoing_items', traces),
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
