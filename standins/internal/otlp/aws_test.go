package otlp

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/cruddur/standins/internal/sigv4"
)

const (
	testKeyID  = "AKIACANARYGO00000000"
	testSecret = "canary-go-aws-secret-0000"
	testRegion = "eu-west-1"
)

func startAWS(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	mode, err := NewAWS(testRegion, testKeyID, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	s := New(mode, 100000)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

func traces(n int, attr string) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "cruddur-backend")
	ss := rs.ScopeSpans().AppendEmpty()
	for i := 0; i < n; i++ {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID([16]byte{0x5b, 0x8e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, byte(i)})
		sp.SetSpanID([8]byte{1, 2, 3, 4, 5, 6, byte(i >> 8), byte(i)})
		sp.SetName("GET /api/activities/home")
		sp.Attributes().PutStr("app.note", attr)
	}
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		panic(err)
	}
	return b
}

func logs(body string) []byte {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr(body)
	lr.SetSeverityText("INFO")
	b, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		panic(err)
	}
	return b
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

// post signs like the collector's sigv4auth (the SDK signer over the compressed body) and sends.
func post(t *testing.T, url string, body []byte, service string, header map[string]string) (int, map[string]string) {
	t.Helper()
	wire := gz(body)
	headers := map[string]string{"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"}
	for k, v := range header {
		headers[k] = v
	}
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	status, raw, _, err := sigv4.Post(url, wire, headers, creds, service, testRegion)
	if err != nil {
		t.Fatal(err)
	}
	answer := map[string]string{}
	_ = json.Unmarshal(raw, &answer)
	return status, answer
}

var logHeaders = map[string]string{"X-Aws-Log-Group": "cruddur", "X-Aws-Log-Stream": "collector-1"}

func TestAWSAcceptsSignedTracesAndLogs(t *testing.T) {
	s, ts := startAWS(t)
	if status, answer := post(t, ts.URL+"/v1/traces", traces(3, "x"), "xray", nil); status != 200 {
		t.Fatalf("traces: %d %v", status, answer)
	}
	if status, answer := post(t, ts.URL+"/v1/logs", logs("GET /api/activities/home 200"), "logs", logHeaders); status != 200 {
		t.Fatalf("logs: %d %v", status, answer)
	}
	snap := s.Store.Snapshot(Kinds...)
	if n := len(snap["spans"].([]any)); n != 3 {
		t.Fatalf("%d spans recorded", n)
	}
	lr := snap["logs"].([]any)[0].(LogRecord)
	if lr.LogGroup != "cruddur" || lr.LogStream != "collector-1" || lr.Body != "GET /api/activities/home 200" {
		t.Fatalf("log record %+v", lr)
	}
	reqs := snap["requests"].([]any)
	auth := reqs[0].(Request).Auth.(*sigv4.Signature)
	if auth.Service != "xray" || auth.Region != testRegion {
		t.Fatalf("auth %+v", auth)
	}
	report, _ := json.Marshal(snap)
	for _, secret := range []string{testSecret, testKeyID} {
		if strings.Contains(string(report), secret) {
			t.Fatalf("the report contains %q", secret)
		}
	}
}

func TestAWSRefusesWhatAWSRefuses(t *testing.T) {
	s, ts := startAWS(t)
	cases := []struct {
		name, path, service string
		body                []byte
		header              map[string]string
		status              int
		code, message       string
	}{
		{"traces signed for logs", "/v1/traces", "logs", traces(1, "x"), nil, 403, "InvalidSignatureException", "scoped to correct service: 'xray'"},
		{"logs signed for xray", "/v1/logs", "xray", logs("x"), logHeaders, 403, "InvalidSignatureException", "scoped to correct service: 'logs'"},
		{"logs without a group", "/v1/logs", "logs", logs("x"), map[string]string{"X-Aws-Log-Stream": "s"}, 400, "ValidationException", "x-aws-log-group header is required"},
		{"logs without a stream", "/v1/logs", "logs", logs("x"), map[string]string{"X-Aws-Log-Group": "g"}, 400, "ValidationException", "x-aws-log-stream header is required"},
		{"logs over 1 MB", "/v1/logs", "logs", logs(strings.Repeat("a", 1<<20)), logHeaders, 413, "RequestEntityTooLarge", "accepts at most 1048576"},
		{"traces over 5 MB", "/v1/traces", "xray", traces(60, strings.Repeat("b", 100<<10)), nil, 413, "RequestEntityTooLarge", "accepts at most 5242880"},
		{"10,001 spans", "/v1/traces", "xray", traces(10001, ""), nil, 400, "ValidationException", "holds 10001 traces items"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, answer := post(t, ts.URL+c.path, c.body, c.service, c.header)
			if status != c.status || answer["__type"] != c.code || !strings.Contains(answer["message"], c.message) {
				t.Fatalf("got %d %v; want %d %s %q", status, answer, c.status, c.code, c.message)
			}
		})
	}
	snap := s.Store.Snapshot(Kinds...)
	if n := len(snap["spans"].([]any)) + len(snap["logs"].([]any)); n != 0 {
		t.Fatalf("%d refused items were recorded as received", n)
	}
	if n := len(snap["requests"].([]any)); n != len(cases) {
		t.Fatalf("%d requests recorded, want %d", n, len(cases))
	}
}

func TestAWSIsHTTPOnlyAndNeedsAKey(t *testing.T) {
	if _, err := NewAWS(testRegion, "", ""); err == nil {
		t.Fatal("a stand-in without a key must not start")
	}
	mode, _ := NewAWS(testRegion, testKeyID, testSecret)
	if _, f := mode.CheckGRPC(nil, SignalTraces); f == nil || f.GRPCCode.String() != "Unimplemented" {
		t.Fatalf("gRPC must be refused: %+v", f)
	}
}

func TestCountOnlyServicesAreCountedNotKept(t *testing.T) {
	s, ts := startAWS(t)
	s.CountOnly = map[string]bool{"cruddur-backend": true}
	if status, answer := post(t, ts.URL+"/v1/traces", traces(4, "x"), "xray", nil); status != 200 {
		t.Fatalf("traces: %d %v", status, answer)
	}
	snap := s.Store.Snapshot(Kinds...)
	if n := len(snap["spans"].([]any)); n != 0 {
		t.Fatalf("%d spans kept, want 0", n)
	}
	if counted := snap["counted"].(map[string]int); counted["cruddur-backend"] != 4 {
		t.Fatalf("counted %v, want cruddur-backend: 4", counted)
	}
	if n := len(snap["requests"].([]any)); n != 1 {
		t.Fatalf("%d requests recorded, want 1", n)
	}
}
