import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { honeycombReport } from '@cruddur/testkit/backends';
import { containerIp, docker, projectContainers } from '@cruddur/testkit/docker';
import { metricSum } from '@cruddur/testkit/metrics';
import { sleep, waitFor } from '@cruddur/testkit/processes';
import { type GatewayStack, startGatewayStack } from '@cruddur/testkit/stack';
import { postSpans, type SyntheticTrace, syntheticTrace } from '@cruddur/testkit/synthetic-traces';

// A gateway killed under load (compose profile `gateway`: 3 gateways behind one agent that finds
// them through Docker's DNS). Honeycomb keeps 100% with no cap, so every trace a gateway decided
// reaches the stand-in: what is missing there is what the kill lost.

const RATE = 40; // traces per second, 3 spans each
const BEFORE_S = 10; // load before the kill
const MOVE_S = 15; // load while the agent re-resolves (DNS interval 5 s) and retries
const AFTER_S = 15; // load once the ring has 2 gateways: the "later" traces
const DECISION_WAIT_S = 2;

interface Sent {
  readonly trace: SyntheticTrace;
  readonly at: number;
}

let stack: GatewayStack;
beforeAll(async () => {
  stack = await startGatewayStack({
    env: {
      GATEWAY_DECISION_WAIT: `${String(DECISION_WAIT_S)}s`,
      GATEWAY_HONEYCOMB_PERCENT: '100',
      GATEWAY_HONEYCOMB_SPANS_PER_SECOND: '1000000',
      GATEWAY_HONEYCOMB_BURST_SPANS: '1000000',
    },
  });
});
afterAll(async () => {
  await stack?.down();
});

async function gateways(): Promise<Array<{ id: string; name: string }>> {
  return (await projectContainers(stack.projectName)).filter((c) => c.service === 'gateway');
}

/**
 * Traces the gateways saw arrive, summed (a trace split over two gateways counts twice). The
 * counter carries no processor label: each of a gateway's two tail_sampling processors
 * (honeycomb, xray) counts every new trace once.
 */
async function newTraces(ids: readonly string[]): Promise<number> {
  let total = 0;
  for (const id of ids) {
    const text = await (await fetch(`http://${await containerIp(id)}:8888/metrics`)).text();
    total += metricSum(text, 'otelcol_processor_tail_sampling_new_trace_id_received');
  }
  return total / 2;
}

/** Sends RATE traces/s for `seconds`, four traces per request, and records when each went out. */
async function load(seconds: number, sent: Sent[]): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const tick = Date.now();
    const batch = Array.from({ length: RATE / 10 }, () => syntheticTrace());
    // A refused request (the agent's queue full) would be loss on the app's side, not ours:
    // it fails the test outright instead.
    await postSpans(
      stack.agentHttpUrl,
      batch.flatMap((t) => t.spans),
    );
    for (const trace of batch) sent.push({ trace, at: tick });
    await sleep(Math.max(0, 100 - (Date.now() - tick)));
  }
}

describe('a gateway killed under load', () => {
  it('loses a bounded share, moves traffic to the others, and splits no later trace', async () => {
    const all = await gateways();
    expect(all).toHaveLength(3);
    const [victim, ...survivors] = all;
    if (victim === undefined) throw new Error('no gateway');

    const before: Sent[] = [];
    const moving: Sent[] = [];
    const after: Sent[] = [];
    await load(BEFORE_S, before);
    const killedAt = Date.now();
    await docker('kill', victim.id);
    await load(MOVE_S, moving);
    const survivorIds = survivors.map((g) => g.id);
    await sleep((DECISION_WAIT_S + 2) * 1000); // decisions on the transition traffic are in
    const countedBefore = await newTraces(survivorIds);
    await load(AFTER_S, after);

    const sentAll = [...before, ...moving, ...after];
    const spansOf = async (): Promise<Map<string, number>> => {
      const report = await honeycombReport(stack.honeycombUrl);
      const m = new Map<string, number>();
      for (const s of report.spans) m.set(s.traceId, (m.get(s.traceId) ?? 0) + 1);
      return m;
    };
    // Every later trace is in, whole.
    const held = await waitFor(
      'the later traces at Honeycomb',
      async () => {
        const m = await spansOf();
        return after.every((s) => m.get(s.trace.traceId) === 3) ? m : undefined;
      },
      120_000,
      1000,
    );
    const countedAfter = await newTraces(survivorIds);
    await sleep(3000);
    const final = await spansOf();

    const lost = sentAll.filter((s) => !final.has(s.trace.traceId));
    // Fewer than 3 spans: part of a trace lost or decided apart. A multiple of 3 above it: a whole
    // trace delivered twice (the agent's retry resends a batch the survivors already took).
    const partial = sentAll.filter((s) => (final.get(s.trace.traceId) ?? 3) % 3 !== 0);
    const duplicated = sentAll.filter((s) => (final.get(s.trace.traceId) ?? 0) > 3 && (final.get(s.trace.traceId) ?? 0) % 3 === 0);
    const dupWindow =
      duplicated.length === 0
        ? [0, 0]
        : [Math.min(...duplicated.map((s) => s.at)) - killedAt, Math.max(...duplicated.map((s) => s.at)) - killedAt];
    const lostWindow =
      lost.length === 0 ? [0, 0] : [Math.min(...lost.map((s) => s.at)) - killedAt, Math.max(...lost.map((s) => s.at)) - killedAt];
    const figures = {
      sent: sentAll.length,
      lost: lost.length,
      lostShare: Number((lost.length / sentAll.length).toFixed(4)),
      lostSentFromMsAfterKill: lostWindow,
      partial: partial.map((s) => [final.get(s.trace.traceId), s.at - killedAt]),
      duplicated: duplicated.length,
      duplicatedSentFromMsAfterKill: dupWindow,
      laterSent: after.length,
      laterCountedBySurvivors: countedAfter - countedBefore,
    };
    console.log(`gateway kill: ${JSON.stringify(figures)}`);

    // Traffic moved: every trace sent once the ring had re-formed arrived, whole.
    for (const s of after) expect(held.get(s.trace.traceId), s.trace.traceId).toBe(3);
    // No later trace split: the two survivors together saw each later trace arrive exactly once.
    expect(countedAfter - countedBefore).toBe(after.length);
    // No trace arrived in part; duplicates only from the move, never later.
    expect(partial).toEqual([]);
    for (const s of duplicated) expect(s.at, 'a duplicate after the ring re-formed').toBeLessThan(killedAt + MOVE_S * 1000);
    // Bounded loss: at most the victim's third of what it held undecided (decision_wait) and
    // in flight when it died, plus what was routed to it until the agent re-resolved (5 s) -
    // and nothing sent after the move.
    const bound = Math.ceil((RATE / 3) * (DECISION_WAIT_S + 1 + 5 + 2));
    expect(lost.length).toBeLessThanOrEqual(bound);
    for (const s of lost) expect(s.at, 'a loss after the ring re-formed').toBeLessThan(killedAt + MOVE_S * 1000);
  });
});
