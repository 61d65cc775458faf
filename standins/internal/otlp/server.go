// Package otlp is one stand-in for every vendor that ingests OTLP: it accepts traces and logs
// over OTLP/HTTP (protobuf or JSON, gzip or not) and, where the vendor offers it, OTLP/gRPC, and
// records what it accepted. What differs between vendors (how a request authenticates, where
// its data lands, what size the vendor refuses) is a Mode:
//
//   - Honeycomb (api.honeycomb.io): the x-honeycomb-team header, gRPC and HTTP;
//   - AWS (xray.<region>.amazonaws.com/v1/traces, logs.<region>.amazonaws.com/v1/logs): SigV4
//     with the signal's service name, the CloudWatch log group and stream headers, AWS's
//     request limits, HTTP only.
package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	// Honeycomb accepts gzip-compressed OTLP/gRPC, and the collector's otlp exporter uses it
	// by default; importing the package registers the decompressor.
	_ "google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/cruddur/standins/internal/record"
)

// maxWireBytes bounds what is read off the wire before a mode looks at it (compressed size).
const maxWireBytes = 64 << 20

// Signal is "traces" or "logs": the OTLP path /v1/<signal>.
type Signal string

const (
	SignalTraces Signal = "traces"
	SignalLogs   Signal = "logs"
)

// Accepted is what a mode learned from an accepted request; nothing in it is secret.
type Accepted struct {
	Route Route
	// Auth is what the credential proved (e.g. the SigV4 scope and signed headers), for the report.
	Auth any
}

// Refusal is a mode's answer to a request the vendor would refuse.
type Refusal struct {
	HTTPStatus int
	GRPCCode   codes.Code
	// Code is the vendor's error code, if it has one (e.g. InvalidSignatureException).
	Code    string
	Message string
	// Body is the HTTP answer in the vendor's shape.
	Body any
}

// Limits are the vendor's per-request bounds; zero means none.
type Limits struct {
	// MaxBytes bounds the uncompressed OTLP payload.
	MaxBytes int
	// MaxItems bounds the spans or log records in one request.
	MaxItems int
}

// Mode is one vendor's behaviour on the shared OTLP server.
type Mode interface {
	// CheckHTTP accepts or refuses an OTLP/HTTP export; body is exactly as received (still
	// compressed, if it was), because that is what a signature covers.
	CheckHTTP(r *http.Request, body []byte, signal Signal) (Accepted, *Refusal)
	// CheckGRPC accepts or refuses an OTLP/gRPC export.
	CheckGRPC(md metadata.MD, signal Signal) (Accepted, *Refusal)
	// Limits are the bounds for one signal, checked after authentication.
	Limits(signal Signal) Limits
	// TooLarge and TooMany word a limit refusal the way the vendor does.
	TooLarge(signal Signal, size, limit int) *Refusal
	TooMany(signal Signal, items, limit int) *Refusal
}

// Request is one export attempt, accepted or not, with credentials redacted.
type Request struct {
	Time       time.Time         `json:"time"`
	Transport  string            `json:"transport"`
	Signal     Signal            `json:"signal"`
	Authorized bool              `json:"authorized"`
	Status     int               `json:"status"`
	Code       string            `json:"code,omitempty"`
	Reason     string            `json:"reason,omitempty"`
	Items      int               `json:"items"`
	Bytes      int               `json:"bytes"`
	Headers    map[string]string `json:"headers"`
	Auth       any               `json:"auth,omitempty"`
}

// Server is the shared OTLP stand-in; its mode says which vendor it plays.
type Server struct {
	mode  Mode
	Store *record.Store
	// CountOnly: spans of these services (resource service.name) are counted, not kept.
	CountOnly map[string]bool
}

// New returns a server playing mode that keeps at most limit entries per kind.
func New(mode Mode, limit int) *Server {
	return &Server{mode: mode, Store: record.NewStore(limit)}
}

// Kinds are the report's top-level lists.
var Kinds = []string{"spans", "logs", "requests"}

func (s *Server) note(req Request, headers map[string][]string) {
	req.Time = time.Now().UTC()
	req.Headers = record.RedactHeaders(headers)
	s.Store.Add("requests", req)
}

func refusedRequest(transport string, signal Signal, f *Refusal, size int) Request {
	return Request{Transport: transport, Signal: signal, Status: f.HTTPStatus, Code: f.Code, Reason: f.Message, Bytes: size}
}

// keep stores what arrived, except spans of a CountOnly service, which are only counted (the
// report's "counted", by service name).
func (s *Server) keep(signal Signal, items []any) {
	kept := items[:0:0]
	for _, item := range items {
		if span, ok := item.(Span); ok {
			if name, _ := span.Resource["service.name"].(string); s.CountOnly[name] {
				s.Store.Count(name, 1)
				continue
			}
		}
		kept = append(kept, item)
	}
	s.Store.Add(kindOf(signal), kept...)
}

// ---- gRPC ----

type traceService struct {
	ptraceotlp.UnimplementedGRPCServer
	s *Server
}

func (t *traceService) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	return ptraceotlp.NewExportResponse(), t.s.acceptGRPC(ctx, SignalTraces, func(route Route) []any {
		return Spans(req.Traces(), route)
	})
}

type logService struct {
	plogotlp.UnimplementedGRPCServer
	s *Server
}

func (l *logService) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	return plogotlp.NewExportResponse(), l.s.acceptGRPC(ctx, SignalLogs, func(route Route) []any {
		return Logs(req.Logs(), route)
	})
}

// acceptGRPC authenticates one gRPC export and records it; the error is what the client sees.
func (s *Server) acceptGRPC(ctx context.Context, signal Signal, flatten func(Route) []any) error {
	md, _ := metadata.FromIncomingContext(ctx)
	ok, refusal := s.mode.CheckGRPC(md, signal)
	if refusal != nil {
		s.note(refusedRequest("grpc", signal, refusal, 0), md)
		return status.Error(refusal.GRPCCode, refusal.Message)
	}
	items := flatten(ok.Route)
	s.note(Request{Transport: "grpc", Signal: signal, Authorized: true, Status: http.StatusOK, Items: len(items), Auth: ok.Auth}, md)
	s.keep(signal, items)
	return nil
}

func kindOf(signal Signal) string {
	if signal == SignalTraces {
		return "spans"
	}
	return "logs"
}

// RegisterGRPC adds the OTLP trace and log services to srv.
func (s *Server) RegisterGRPC(srv *grpc.Server) {
	ptraceotlp.RegisterGRPCServer(srv, &traceService{s: s})
	plogotlp.RegisterGRPCServer(srv, &logService{s: s})
}

// ---- HTTP ----

type otlpRequest interface {
	UnmarshalProto([]byte) error
	UnmarshalJSON([]byte) error
}

type otlpResponse interface {
	MarshalProto() ([]byte, error)
	MarshalJSON() ([]byte, error)
}

// Handler serves OTLP/HTTP on /v1/traces and /v1/logs, and the report on /standin/received.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, r *http.Request) {
		req := ptraceotlp.NewExportRequest()
		s.serveOTLP(w, r, SignalTraces, req, ptraceotlp.NewExportResponse(), func(route Route) []any {
			return Spans(req.Traces(), route)
		})
	})
	mux.HandleFunc("POST /v1/logs", func(w http.ResponseWriter, r *http.Request) {
		req := plogotlp.NewExportRequest()
		s.serveOTLP(w, r, SignalLogs, req, plogotlp.NewExportResponse(), func(route Route) []any {
			return Logs(req.Logs(), route)
		})
	})
	mux.HandleFunc("/standin/received", record.ReportHandler(s.Store, Kinds...))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		record.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return mux
}

func plainRefusal(status int, message string) *Refusal {
	return &Refusal{HTTPStatus: status, Message: message, Body: map[string]string{"error": message}}
}

// decode undoes the Content-Encoding and bounds the result.
func decode(r *http.Request, wire []byte, limit int) ([]byte, *Refusal) {
	var reader io.Reader
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
		return wire, nil
	case "gzip":
		gz, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			return nil, plainRefusal(http.StatusBadRequest, "invalid gzip body")
		}
		defer gz.Close()
		reader = gz
	default:
		return nil, plainRefusal(http.StatusUnsupportedMediaType, "unsupported Content-Encoding "+enc+" (gzip or none)")
	}
	body, err := io.ReadAll(io.LimitReader(reader, int64(limit)+1))
	if err != nil {
		return nil, plainRefusal(http.StatusBadRequest, "invalid gzip body")
	}
	return body, nil
}

func (s *Server) serveOTLP(w http.ResponseWriter, r *http.Request, signal Signal, req otlpRequest,
	resp otlpResponse, flatten func(Route) []any) {
	refuse := func(f *Refusal, size int) {
		s.note(refusedRequest("http", signal, f, size), r.Header)
		record.WriteJSON(w, f.HTTPStatus, f.Body)
	}
	// refuseItems is a refusal after decoding, so the record says how many items were refused.
	refuseItems := func(f *Refusal, size, items int) {
		req := refusedRequest("http", signal, f, size)
		req.Items = items
		s.note(req, r.Header)
		record.WriteJSON(w, f.HTTPStatus, f.Body)
	}
	wire, err := io.ReadAll(io.LimitReader(r.Body, maxWireBytes+1))
	if err != nil || len(wire) > maxWireBytes {
		refuse(plainRefusal(http.StatusRequestEntityTooLarge, "request body too large"), len(wire))
		return
	}
	ok, refusal := s.mode.CheckHTTP(r, wire, signal)
	if refusal != nil {
		refuse(refusal, len(wire))
		return
	}
	limits := s.mode.Limits(signal)
	maxBytes := limits.MaxBytes
	if maxBytes == 0 {
		maxBytes = maxWireBytes
	}
	body, refusal := decode(r, wire, maxBytes)
	if refusal != nil {
		refuse(refusal, len(wire))
		return
	}
	if len(body) > maxBytes {
		refuse(s.mode.TooLarge(signal, len(body), maxBytes), len(body))
		return
	}
	isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	if isJSON {
		err = req.UnmarshalJSON(body)
	} else {
		err = req.UnmarshalProto(body)
	}
	if err != nil {
		refuse(plainRefusal(http.StatusBadRequest, "cannot decode OTLP "+string(signal)+": "+err.Error()), len(body))
		return
	}
	items := flatten(ok.Route)
	if limits.MaxItems > 0 && len(items) > limits.MaxItems {
		refuseItems(s.mode.TooMany(signal, len(items), limits.MaxItems), len(body), len(items))
		return
	}
	s.note(Request{Transport: "http", Signal: signal, Authorized: true, Status: http.StatusOK, Items: len(items), Bytes: len(body), Auth: ok.Auth}, r.Header)
	s.keep(signal, items)
	var out []byte
	if isJSON {
		out, err = resp.MarshalJSON()
		w.Header().Set("Content-Type", "application/json")
	} else {
		out, err = resp.MarshalProto()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(out)
}
