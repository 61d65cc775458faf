package xray

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cruddur/standins/internal/sigv4"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func ptr[T any](v T) *T                  { return &v }
func client(n int) string                { return strings.Repeat("0", 23) + string(rune('0'+n)) }
func stats(rule string, n int, requests int64) StatisticsDocument {
	return StatisticsDocument{RuleName: rule, ClientID: client(n), RequestCount: requests, SampledCount: requests / 2, BorrowCount: 1}
}

var cruddur = Rule{
	RuleName: "Cruddur", ResourceARN: "*", Priority: 9000, FixedRate: 0.1, ReservoirSize: 5,
	ServiceName: "cruddur-backend", ServiceType: "*", Host: "*", HTTPMethod: "*", URLPath: "*", Version: 1,
}

func newPlane(t *testing.T) (*ControlPlane, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	cp := NewControlPlane(Settings{Interval: 10 * time.Second, QuotaTTL: 15 * time.Second, Region: "us-east-1", Account: "000000000000", Now: c.now})
	if _, err := cp.CreateRule(cruddur); err != nil {
		t.Fatal(err)
	}
	return cp, c
}

func quotaOf(t *testing.T, out Targets, rule string) int {
	t.Helper()
	for _, d := range out.SamplingTargetDocuments {
		if d.RuleName == rule {
			return *d.ReservoirQuota
		}
	}
	t.Fatalf("no target for %s in %+v", rule, out)
	return 0
}

func TestOneClientGetsTheWholeReservoirWithTTLAndInterval(t *testing.T) {
	cp, c := newPlane(t)
	out := cp.Targets([]StatisticsDocument{stats("Cruddur", 1, 100)})
	d := out.SamplingTargetDocuments[0]
	if *d.ReservoirQuota != 5 || d.FixedRate != 0.1 || *d.Interval != 10 {
		t.Fatalf("target %+v", d)
	}
	if want := epoch(c.t.Add(15 * time.Second)); *d.ReservoirQuotaTTL != want {
		t.Fatalf("TTL %v, want %v", *d.ReservoirQuotaTTL, want)
	}
}

func TestReservoirIsSplitAcrossReportingClientsAndReturnedWhenOneStops(t *testing.T) {
	cp, c := newPlane(t)
	if q := quotaOf(t, cp.Targets([]StatisticsDocument{stats("Cruddur", 1, 10)}), "Cruddur"); q != 5 {
		t.Fatalf("alone: %d", q)
	}
	// A second client: 5 split as 3 (first by ClientID) + 2.
	if q := quotaOf(t, cp.Targets([]StatisticsDocument{stats("Cruddur", 2, 10)}), "Cruddur"); q != 2 {
		t.Fatalf("second client: %d, want 2", q)
	}
	if q := quotaOf(t, cp.Targets([]StatisticsDocument{stats("Cruddur", 1, 10)}), "Cruddur"); q != 3 {
		t.Fatalf("first client re-asking: %d, want 3", q)
	}
	total := 0
	for _, q := range cp.Quotas() {
		total += q.Quota
	}
	if total != 5 {
		t.Fatalf("quotas in force add up to %d, want the reservoir 5: %+v", total, cp.Quotas())
	}
	// Client 2 stops asking: after the TTL its share comes back to client 1.
	c.advance(16 * time.Second)
	if q := quotaOf(t, cp.Targets([]StatisticsDocument{stats("Cruddur", 1, 10)}), "Cruddur"); q != 5 {
		t.Fatalf("after the other's TTL: %d, want 5", q)
	}
}

func TestMoreClientsThanReservoirSomeGetNone(t *testing.T) {
	cp, _ := newPlane(t)
	got := []int{}
	for n := 1; n <= 7; n++ {
		got = append(got, quotaOf(t, cp.Targets([]StatisticsDocument{stats("Cruddur", n, 1)}), "Cruddur"))
	}
	// Re-ask in order so every client sees all 7.
	total := 0
	for n := 1; n <= 7; n++ {
		total += quotaOf(t, cp.Targets([]StatisticsDocument{stats("Cruddur", n, 1)}), "Cruddur")
	}
	if total != 5 {
		t.Fatalf("7 clients share %d, want 5 (first round %v)", total, got)
	}
}

func TestStatisticsAddUpAndUnknownRulesAreUnprocessed(t *testing.T) {
	cp, _ := newPlane(t)
	out := cp.Targets([]StatisticsDocument{stats("Cruddur", 1, 100), stats("Nope", 1, 3), {RuleName: "Cruddur", ClientID: "short"}})
	if len(out.UnprocessedStatistics) != 2 || out.UnprocessedStatistics[0].RuleName != "Nope" {
		t.Fatalf("unprocessed %+v", out.UnprocessedStatistics)
	}
	cp.Targets([]StatisticsDocument{stats("Cruddur", 2, 50)})
	for _, s := range cp.Summaries() {
		if s.RuleName == "Cruddur" && (s.RequestCount != 150 || s.SampledCount != 75 || s.BorrowCount != 2) {
			t.Fatalf("summary %+v", s)
		}
	}
}

func TestUpdateMovesLastRuleModificationAndTargetsCarryTheNewRate(t *testing.T) {
	cp, c := newPlane(t)
	before := cp.Targets([]StatisticsDocument{stats("Cruddur", 1, 1)}).LastRuleModification
	c.advance(1500 * time.Millisecond)
	rec, err := cp.UpdateRule(RuleUpdate{RuleName: ptr("Cruddur"), FixedRate: ptr(1.0)})
	if err != nil || rec.SamplingRule.FixedRate != 1 || rec.SamplingRule.ReservoirSize != 5 {
		t.Fatalf("update: %+v %v", rec, err)
	}
	out := cp.Targets([]StatisticsDocument{stats("Cruddur", 1, 1)})
	if out.LastRuleModification != before+1.5 || out.SamplingTargetDocuments[0].FixedRate != 1 {
		t.Fatalf("after update: %+v (before %v)", out, before)
	}
}

func TestRuleValidationAndTheDefaultRule(t *testing.T) {
	cp, _ := newPlane(t)
	bad := cruddur
	bad.RuleName, bad.FixedRate = "Other", 1.5
	cases := map[string]error{}
	_, cases["duplicate"] = cp.CreateRule(cruddur)
	_, cases["rate"] = cp.CreateRule(bad)
	_, cases["default fields"] = cp.UpdateRule(RuleUpdate{RuleName: ptr("Default"), URLPath: ptr("/x")})
	_, cases["delete default"] = cp.DeleteRule(ptr("Default"), nil)
	_, cases["unknown"] = cp.UpdateRule(RuleUpdate{RuleName: ptr("Nope")})
	for name, err := range cases {
		if e, ok := err.(*Error); !ok || e.Code != "InvalidRequestException" {
			t.Errorf("%s: %v", name, err)
		}
	}
	if rec, err := cp.UpdateRule(RuleUpdate{RuleName: ptr("Default"), FixedRate: ptr(0.2)}); err != nil || rec.SamplingRule.FixedRate != 0.2 {
		t.Fatalf("default rate: %+v %v", rec, err)
	}
	rules := cp.Rules()
	if len(rules) != 2 || rules[0].SamplingRule.RuleName != "Cruddur" || rules[1].SamplingRule.RuleName != "Default" {
		t.Fatalf("order %+v", rules)
	}
	if _, err := cp.DeleteRule(nil, ptr("arn:aws:xray:us-east-1:000000000000:sampling-rule/Cruddur")); err != nil {
		t.Fatal(err)
	}
	if len(cp.Rules()) != 1 {
		t.Fatal("not deleted by ARN")
	}
}

// --- over HTTP, signed with the AWS SDK's signer ---

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	s, err := New(Options{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test", Region: "us-east-1", Account: "000000000000", Interval: 10 * time.Second, QuotaTTL: 15 * time.Second, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func call(t *testing.T, ts *httptest.Server, path string, body any, secret string) (int, map[string]any, http.Header) {
	t.Helper()
	raw, _ := json.Marshal(body)
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: secret}
	status, data, header, err := sigv4.Post(ts.URL+path, raw, map[string]string{"Content-Type": "application/json"}, creds, "xray", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	_ = json.Unmarshal(data, &out)
	return status, out, header
}

func TestHTTPSignedCallsWorkAndUnsignedOrWrongKeyAreRefused(t *testing.T) {
	ts := newServer(t)
	status, out, _ := call(t, ts, "/CreateSamplingRule", map[string]any{"SamplingRule": cruddur}, "secret-test")
	rec, _ := out["SamplingRuleRecord"].(map[string]any)
	rule, _ := rec["SamplingRule"].(map[string]any)
	if status != 200 || rule["RuleARN"] != "arn:aws:xray:us-east-1:000000000000:sampling-rule/Cruddur" {
		t.Fatalf("create: %d %v", status, out)
	}
	status, out, _ = call(t, ts, "/SamplingTargets", map[string]any{"SamplingStatisticsDocuments": []StatisticsDocument{stats("Cruddur", 1, 5)}}, "secret-test")
	docs, _ := out["SamplingTargetDocuments"].([]any)
	if status != 200 || len(docs) != 1 || docs[0].(map[string]any)["ReservoirQuota"] != 5.0 {
		t.Fatalf("targets: %d %v", status, out)
	}
	status, out, hdr := call(t, ts, "/GetSamplingRules", map[string]any{}, "")
	if status != 403 || hdr.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned: %d %v", status, out)
	}
	status, _, hdr = call(t, ts, "/GetSamplingRules", map[string]any{}, "wrong-secret")
	if status != 403 || hdr.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
		t.Fatalf("wrong secret: %d %s", status, hdr.Get("X-Amzn-ErrorType"))
	}
	status, out, hdr = call(t, ts, "/GetGroup", map[string]any{"GroupName": "Cruddur"}, "secret-test")
	if status != 400 || hdr.Get("X-Amzn-ErrorType") != "InvalidRequestException" || out["message"] != "Group not found" {
		t.Fatalf("missing group: %d %v", status, out)
	}
	status, out, _ = call(t, ts, "/CreateSamplingRule", map[string]any{"SamplingRule": cruddur, "Group": map[string]string{}}, "secret-test")
	if status != 400 || !strings.Contains(out["message"].(string), "unknown field") {
		t.Fatalf("unknown field: %d %v", status, out)
	}
}

func TestStateFileKeepsRulesAndGroupsAcrossRestarts(t *testing.T) {
	file := t.TempDir() + "/state.json"
	opts := Options{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-test", Region: "us-east-1", Account: "000000000000", Interval: 10 * time.Second, QuotaTTL: 15 * time.Second, Limit: 100, StateFile: file}
	first, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(first.Handler())
	if status, out, _ := call(t, ts, "/CreateSamplingRule", map[string]any{"SamplingRule": cruddur}, "secret-test"); status != 200 {
		t.Fatalf("create: %v", out)
	}
	if status, out, _ := call(t, ts, "/CreateGroup", map[string]any{"GroupName": "Cruddur", "FilterExpression": "service(\"cruddur-backend\")"}, "secret-test"); status != 200 {
		t.Fatalf("group: %v", out)
	}
	ts.Close()
	second, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	rules, groups := second.Control.Rules(), second.Control.Groups()
	if len(rules) != 2 || rules[0].SamplingRule.RuleName != "Cruddur" || rules[0].SamplingRule.ReservoirSize != 5 || len(groups) != 1 {
		t.Fatalf("after restart: %+v %+v", rules, groups)
	}
}
