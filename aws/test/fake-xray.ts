import { captureServer, type CaptureResponse, type CaptureServer, type CapturedRequest } from '@cruddur/testkit/http';

/**
 * moto implements no X-Ray groups or sampling rules, so this stands where the X-Ray API would:
 * it records every signed request and keeps just enough state (groups and rules by name) to
 * answer Get* calls the way X-Ray does, including "Group not found". The tests assert the
 * requests' JSON bodies, which is what X-Ray itself would act on.
 */
export interface FakeXRay extends CaptureServer {
  groups: Map<string, { GroupName: string; FilterExpression: string }>;
  rules: Map<string, Record<string, unknown>>;
  /** The requests of one operation, by path (e.g. "/CreateGroup"). */
  calls: (path: string) => CapturedRequest[];
}

export async function startFakeXRay(): Promise<FakeXRay> {
  const groups = new Map<string, { GroupName: string; FilterExpression: string }>();
  const rules = new Map<string, Record<string, unknown>>();
  const notFound: CaptureResponse = {
    status: 400,
    headers: { 'x-amzn-errortype': 'InvalidRequestException' },
    body: { message: 'Group not found' },
  };

  const server = await captureServer((req): CaptureResponse => {
    const body = (req.body ? JSON.parse(req.body) : {}) as Record<string, unknown>;
    switch (req.path) {
      case '/GetGroup': {
        const g = groups.get(String(body.GroupName));
        return g
          ? { status: 200, body: { Group: { ...g, GroupARN: `arn:aws:xray:us-east-1:000000000000:group/${g.GroupName}/x` } } }
          : notFound;
      }
      case '/CreateGroup':
      case '/UpdateGroup': {
        const g = { GroupName: String(body.GroupName), FilterExpression: String(body.FilterExpression) };
        groups.set(g.GroupName, g);
        return { status: 200, body: { Group: g } };
      }
      case '/GetSamplingRules':
        return { status: 200, body: { SamplingRuleRecords: [...rules.values()].map((r) => ({ SamplingRule: r })) } };
      case '/CreateSamplingRule': {
        const r = body.SamplingRule as Record<string, unknown>;
        rules.set(String(r.RuleName), r);
        return { status: 200, body: { SamplingRuleRecord: { SamplingRule: r } } };
      }
      case '/UpdateSamplingRule': {
        const u = body.SamplingRuleUpdate as Record<string, unknown>;
        const merged = { ...rules.get(String(u.RuleName)), ...u };
        rules.set(String(u.RuleName), merged);
        return { status: 200, body: { SamplingRuleRecord: { SamplingRule: merged } } };
      }
      default:
        return { status: 404, headers: { 'x-amzn-errortype': 'UnknownOperationException' }, body: { message: req.path } };
    }
  });
  return { ...server, groups, rules, calls: (path) => server.requests.filter((r) => r.path === path) };
}
