import { describe, expect, it } from 'vitest';

import { docker, exec, inspectContainer } from '@cruddur/testkit/docker';
import { stackForFile } from '@cruddur/testkit/file-stack';
import { steadyLoad, type LoadResult } from './support/load.ts';

/**
 * App side: a 5-minute collector outage at 200 req/s may grow the app's resident
 * memory by at most 50 MB. The SDK's queues are bounded (OTEL_BSP_MAX_QUEUE_SIZE,
 * OTEL_BLRP_MAX_QUEUE_SIZE): past them it drops telemetry rather than memory.
 */

const RATE = 200;
const WARM_UP_MS = 30_000;
const OUTAGE_MS = Number(process.env.MEMORY_OUTAGE_MS ?? 300_000);
const SAMPLE_EVERY_MS = 10_000;

const file = stackForFile({ projectPrefix: 'cruddur-rel-memory' });

/** VmRSS of the node process running the server (not docker-init, not this probe), read inside the app container. */
async function appRssMb(app: string): Promise<number> {
  const script =
    "const fs=require('fs');for(const p of fs.readdirSync('/proc')){if(!/^\\d+$/.test(p))continue;" +
    "let c='';try{c=fs.readFileSync('/proc/'+p+'/cmdline','utf8')}catch{continue}" +
    "const a=c.split('\\0');if((a[0]||'').endsWith('node')&&a.some((x)=>x.endsWith('server.js'))&&!a.includes('-e')){const m=/VmRSS:\\s+(\\d+)/.exec(fs.readFileSync('/proc/'+p+'/status','utf8'));console.log(m?m[1]:'')}}";
  const { code, output } = await exec(app, ['node', '-e', script]);
  const kb = Number(output.trim().split('\n')[0]);
  if (code !== 0 || !Number.isFinite(kb) || kb === 0) throw new Error(`cannot read the app's RSS: ${output}`);
  return kb / 1024;
}

describe('memory bounds', () => {
  it('grows app RSS by at most 50 MB during a 5-minute collector outage at 200 req/s', async () => {
    const app = await file.container('app');
    const collector = await file.container('otel-collector');
    await steadyLoad({ url: `${file.stack.appUrl}/api/activities/home`, ratePerSecond: RATE, durationMs: WARM_UP_MS });
    const baseline = await appRssMb(app);
    // A Node server under load is tens of MB: anything less means the wrong process was read.
    expect(baseline).toBeGreaterThan(30);

    await docker('stop', '-t', '5', collector);
    const samples: number[] = [];
    const sampler = setInterval(() => {
      void appRssMb(app).then(
        (mb) => samples.push(mb),
        () => undefined,
      );
    }, SAMPLE_EVERY_MS);
    let result: LoadResult;
    try {
      result = await steadyLoad({ url: `${file.stack.appUrl}/api/activities/home`, ratePerSecond: RATE, durationMs: OUTAGE_MS });
    } finally {
      clearInterval(sampler);
    }
    samples.push(await appRssMb(app));
    await docker('start', collector);

    const peak = Math.max(...samples);
    const figures = {
      baselineMb: baseline,
      peakMb: peak,
      growthMb: peak - baseline,
      samples: samples.map((mb) => Math.round(mb)),
      requests: result.sent,
      statuses: result.statuses,
    };
    console.log(`memory bound: ${JSON.stringify(figures)}`);
    expect(result.statuses).toEqual({ 200: result.sent });
    expect((await inspectContainer(app)).RestartCount).toBe(0);
    expect(peak - baseline).toBeLessThanOrEqual(50);
  });
});
