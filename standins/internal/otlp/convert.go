package otlp

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Span is one received span as the report shows it: the fields a person checks in Honeycomb.
type Span struct {
	TraceID       string         `json:"traceId"`
	SpanID        string         `json:"spanId"`
	ParentSpanID  string         `json:"parentSpanId"`
	Name          string         `json:"name"`
	Kind          string         `json:"kind"`
	StatusCode    string         `json:"statusCode"`
	StatusMessage string         `json:"statusMessage,omitempty"`
	StartUnixNano uint64         `json:"startTimeUnixNano"`
	EndUnixNano   uint64         `json:"endTimeUnixNano"`
	Attributes    map[string]any `json:"attributes"`
	Resource      map[string]any `json:"resource"`
	Scope         string         `json:"scope"`
	Route
}

// LogRecord is one received log record.
type LogRecord struct {
	TraceID        string         `json:"traceId"`
	SpanID         string         `json:"spanId"`
	SeverityText   string         `json:"severityText"`
	SeverityNumber int32          `json:"severityNumber"`
	Body           any            `json:"body"`
	Attributes     map[string]any `json:"attributes"`
	Resource       map[string]any `json:"resource"`
	Scope          string         `json:"scope"`
	Route
}

func hexOrEmpty[T interface {
	IsEmpty() bool
	String() string
}](id T) string {
	if id.IsEmpty() {
		return ""
	}
	return id.String()
}

func attrs(m pcommon.Map) map[string]any {
	out := m.AsRaw()
	if out == nil {
		return map[string]any{}
	}
	return out
}

// Route is where the vendor would file the data, from the request's headers: Honeycomb's dataset
// (it routes by service.name when no dataset header is given), CloudWatch's log group and stream.
// Recorded so a test can see where data would land.
type Route struct {
	Dataset   string `json:"dataset,omitempty"`
	LogGroup  string `json:"logGroup,omitempty"`
	LogStream string `json:"logStream,omitempty"`
}

// Spans flattens an export request.
func Spans(td ptrace.Traces, route Route) []any {
	var out []any
	for i := 0; i < td.ResourceSpans().Len(); i++ {
		rs := td.ResourceSpans().At(i)
		res := attrs(rs.Resource().Attributes())
		for j := 0; j < rs.ScopeSpans().Len(); j++ {
			ss := rs.ScopeSpans().At(j)
			for k := 0; k < ss.Spans().Len(); k++ {
				s := ss.Spans().At(k)
				out = append(out, Span{
					TraceID:       hexOrEmpty(s.TraceID()),
					SpanID:        hexOrEmpty(s.SpanID()),
					ParentSpanID:  hexOrEmpty(s.ParentSpanID()),
					Name:          s.Name(),
					Kind:          s.Kind().String(),
					StatusCode:    s.Status().Code().String(),
					StatusMessage: s.Status().Message(),
					StartUnixNano: uint64(s.StartTimestamp()),
					EndUnixNano:   uint64(s.EndTimestamp()),
					Attributes:    attrs(s.Attributes()),
					Resource:      res,
					Scope:         ss.Scope().Name(),
					Route:         route,
				})
			}
		}
	}
	return out
}

// Logs flattens a logs export request.
func Logs(ld plog.Logs, route Route) []any {
	var out []any
	for i := 0; i < ld.ResourceLogs().Len(); i++ {
		rl := ld.ResourceLogs().At(i)
		res := attrs(rl.Resource().Attributes())
		for j := 0; j < rl.ScopeLogs().Len(); j++ {
			sl := rl.ScopeLogs().At(j)
			for k := 0; k < sl.LogRecords().Len(); k++ {
				l := sl.LogRecords().At(k)
				out = append(out, LogRecord{
					TraceID:        hexOrEmpty(l.TraceID()),
					SpanID:         hexOrEmpty(l.SpanID()),
					SeverityText:   l.SeverityText(),
					SeverityNumber: int32(l.SeverityNumber()),
					Body:           l.Body().AsRaw(),
					Attributes:     attrs(l.Attributes()),
					Resource:       res,
					Scope:          sl.Scope().Name(),
					Route:          route,
				})
			}
		}
	}
	return out
}
