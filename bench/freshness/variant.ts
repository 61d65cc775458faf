/** One variant: a fresh stack, warm-up and measured traffic with both pollers running, the drain, the sweep. */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { XRayClient } from '@aws-sdk/client-xray';

import type { Stack, StackOptions } from '@cruddur/testkit/stack';
import { inspectContainer, serviceContainerId } from '@cruddur/testkit/docker';
import { clientConfig, logGroupEvents, tracesInXray } from '@cruddur/testkit/backends';
import { newXrayCompatibleTraceId } from '@cruddur/testkit/trace-ids';
import { percentile, round, sortedOf } from '@cruddur/testkit/stats';
import { sleep } from '@cruddur/testkit/processes';
import { timerModel } from './model.ts';
import { APP_IMAGE, type VariantPlan } from './plan.ts';
import { cloudwatchPoll, LOG_GROUP, Pending, startPoller, xrayPoll, type Poller } from './pollers.ts';
import { BACKENDS, type BackendName, type FreshnessVariantResult } from './results.ts';
import { backendFreshness, finite, pollStats } from './stats.ts';
import { answered, drive, MIX, now, type Sent } from './traffic.ts';

export interface RunConfig {
  readonly rate: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly pollMs: number;
  readonly drainS: number;
}

export type StartStack = (options: StackOptions) => Promise<Stack>;

export async function runVariant(plan: VariantPlan, config: RunConfig, startStack: StartStack): Promise<FreshnessVariantResult> {
  const startedAt = new Date().toISOString();
  const stackStarted = now();
  const stages = plan.settings.collector;
  process.stdout.write(
    `\n[${plan.name}] starting the stack (app BSP/BLRP ${String(plan.settings.appBspScheduleDelayMs)}/${String(plan.settings.appBlrpScheduleDelayMs)} ms; collector X-Ray ${stages.xray.kind} ${String(stages.xray.timeoutMs)} ms, CloudWatch ${stages.cloudwatch.kind} ${String(stages.cloudwatch.timeoutMs)} ms)\n`,
  );
  const stack = await startStack({ projectPrefix: 'cruddur-bench-freshness', env: plan.settings.composeEnv });
  // One attempt: a failed poll is simply the next poll, and hidden SDK retries would blur the timing.
  const xray = new XRayClient(clientConfig(stack.aws, { maxAttempts: 1 }));
  const logs = new CloudWatchLogsClient(clientConfig(stack.aws, { maxAttempts: 1 }));
  try {
    const stackStartS = (now() - stackStarted) / 1000;
    const collectorArgs = await containerArgs(stack.projectName, 'otel-collector');
    process.stdout.write(
      `[${plan.name}] stack up in ${stackStartS.toFixed(1)} s (${stack.projectName}); warm-up ${String(config.warmupS)} s, then ${String(config.durationS)} s at ${String(config.rate)} req/s\n`,
    );

    const pending: Record<BackendName, Pending> = { xray: new Pending(), cloudwatch: new Pending() };
    let stopPolling = false;
    const pollers: Record<BackendName, Poller> = {
      xray: startPoller(config.pollMs, () => stopPolling, xrayPoll(xray, pending.xray)),
      cloudwatch: startPoller(config.pollMs, () => stopPolling, cloudwatchPoll(logs, pending.cloudwatch)),
    };

    const all: Sent[] = [];
    const inFlight: Promise<void>[] = [];
    const warmupCount = Math.round(config.warmupS * config.rate);
    const total = warmupCount + Math.round(config.durationS * config.rate);
    const intervalMs = 1000 / config.rate;
    const t0 = now();
    for (let index = 0; index < total; index += 1) {
      const due = t0 + index * intervalMs;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      const kind = MIX[index % MIX.length] ?? 'GET /api/activities/home';
      const sent: Sent = { traceId: newXrayCompatibleTraceId(), kind, warmup: index < warmupCount, sentAt: now(), seen: {} };
      all.push(sent);
      pending.xray.add(sent);
      pending.cloudwatch.add(sent);
      inFlight.push(
        drive(stack.appUrl, kind, index, sent).then(() => {
          if (answered(sent)) return;
          pending.xray.take(sent.traceId);
          pending.cloudwatch.take(sent.traceId);
        }),
      );
    }
    await Promise.all(inFlight);
    const lastResponse = Math.max(...all.map((sent) => sent.respondedAt ?? 0));
    const measured = all.filter((sent) => !sent.warmup).filter(answered);
    // Sends happen in order: the first measured one follows the warm-up, the last is the last.
    const firstMeasuredSend = all[warmupCount]?.sentAt ?? t0;
    const lastMeasuredSend = all.at(-1)?.sentAt ?? t0;

    // Drain: until every measured item is seen by both pollers, or the limit.
    const unseen = (): number => measured.filter((sent) => sent.seen.xray === undefined || sent.seen.cloudwatch === undefined).length;
    while (unseen() > 0 && now() - lastResponse < config.drainS * 1000) await sleep(config.pollMs);
    const drainS = (now() - lastResponse) / 1000;
    stopPolling = true;
    await Promise.all([pollers.xray.done, pollers.cloudwatch.done]);

    // Sweep: what the pollers missed, is it there at all (late) or not (lost)?
    const missing = (backend: BackendName): string[] =>
      measured.filter((sent) => sent.seen[backend] === undefined).map((sent) => sent.traceId);
    const presentXray = missing('xray').length === 0 ? new Set<string>() : await tracesInXray(stack.aws, missing('xray'));
    const missingCw = new Set(missing('cloudwatch'));
    const presentCw =
      missingCw.size === 0
        ? new Set<string>()
        : new Set(
            (await logGroupEvents(stack.aws, LOG_GROUP))
              .filter(
                (event) =>
                  event.message.attributes?.['log.type'] === 'access' &&
                  event.message.trace_id !== undefined &&
                  missingCw.has(event.message.trace_id),
              )
              .map((event) => event.message.trace_id ?? ''),
          );

    const responseTimes = sortedOf(measured.map((sent) => sent.respondedAt - sent.sentAt));
    const ok = all.filter(answered).length;
    const byKind: Record<string, number> = {};
    for (const sent of measured) byKind[sent.kind] = (byKind[sent.kind] ?? 0) + 1;
    const result: FreshnessVariantResult = {
      name: plan.name,
      description: plan.description,
      settings: plan.settings,
      model: timerModel(plan.settings),
      collectorArgs,
      appImage: APP_IMAGE ?? 'cruddur/app:dev',
      startedAt,
      stackStartS: round(stackStartS),
      requests: {
        sent: all.length,
        warmup: warmupCount,
        ok,
        failed: all.length - ok,
        measured: measured.length,
        achievedRatePerS: round(((total - warmupCount - 1) * 1000) / Math.max(1, lastMeasuredSend - firstMeasuredSend)),
        responseP50Ms: finite(percentile(responseTimes, 50)),
        responseP99Ms: finite(percentile(responseTimes, 99)),
        byKind,
      },
      requestOffsetsMs: measured.map((sent) => round(sent.respondedAt - firstMeasuredSend)),
      backends: { xray: backendFreshness(measured, 'xray', presentXray), cloudwatch: backendFreshness(measured, 'cloudwatch', presentCw) },
      polling: { xray: pollStats(pollers.xray.stats), cloudwatch: pollStats(pollers.cloudwatch.stats) },
      drainS: round(drainS),
    };
    for (const backend of BACKENDS) {
      const b = result.backends[backend];
      const p = result.polling[backend];
      process.stdout.write(
        `[${plan.name}] ${backend.padEnd(10)} p50 ${fmtS(b.p50Ms)}  p95 ${fmtS(b.p95Ms)}  max ${fmtS(b.maxMs)}  seen ${String(b.seen)}/${String(b.measured)}  late ${String(b.late)}  lost ${String(b.lost)}  (${String(p.polls)} polls, rtt p50 ${String(p.p50RoundTripMs ?? 'n/a')} ms, ${String(p.errors)} errors)\n`,
      );
    }
    return result;
  } finally {
    xray.destroy();
    logs.destroy();
    await stack.down();
  }
}

/** The arguments a compose service's container runs with, as Docker reports them (none if it cannot say). */
async function containerArgs(projectName: string, service: string): Promise<readonly string[]> {
  try {
    return (await inspectContainer(await serviceContainerId(projectName, service))).Args;
  } catch {
    return [];
  }
}

const fmtS = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
