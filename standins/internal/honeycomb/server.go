// Package honeycomb is a stand-in for Honeycomb's OTLP ingest (api.honeycomb.io): it accepts
// OTLP traces and logs over gRPC and HTTP, authenticates them with the x-honeycomb-team header
// the way Honeycomb does, and records what it accepted.
package honeycomb

import (
	"compress/gzip"
	"context"
	"errors"
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

const (
	teamHeader    = "x-honeycomb-team"
	datasetHeader = "x-honeycomb-dataset"
	maxBodyBytes  = 16 << 20
)

// Request is one export attempt, accepted or not, with credentials redacted.
type Request struct {
	Time       time.Time         `json:"time"`
	Transport  string            `json:"transport"`
	Signal     string            `json:"signal"`
	Authorized bool              `json:"authorized"`
	Reason     string            `json:"reason,omitempty"`
	Items      int               `json:"items"`
	Headers    map[string]string `json:"headers"`
}

// Server holds the expected key and the record of what arrived.
type Server struct {
	key   string
	Store *record.Store
}

// New needs the team key the stand-in accepts; there is deliberately no default.
func New(key string, limit int) (*Server, error) {
	if key == "" {
		return nil, errors.New("HONEYCOMB_API_KEY must be set: the stand-in only accepts that key")
	}
	return &Server{key: key, Store: record.NewStore(limit)}, nil
}

// Kinds are the report's top-level lists.
var Kinds = []string{"spans", "logs", "requests"}

// authError mirrors Honeycomb's answers: a missing header and an unknown key are both
// authentication failures.
func (s *Server) authError(presented []string) string {
	if len(presented) == 0 || presented[0] == "" {
		return "missing '" + teamHeader + "' header"
	}
	if !record.SecretEqual(presented[0], s.key) {
		return "unknown API key - check your credentials"
	}
	return ""
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (s *Server) note(transport, signal string, headers map[string][]string, reason string, items int) {
	s.Store.Add("requests", Request{
		Time: time.Now().UTC(), Transport: transport, Signal: signal,
		Authorized: reason == "", Reason: reason, Items: items,
		Headers: record.RedactHeaders(headers),
	})
}

// ---- gRPC ----

type traceService struct {
	ptraceotlp.UnimplementedGRPCServer
	s *Server
}

func (t *traceService) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	return ptraceotlp.NewExportResponse(), t.s.acceptGRPC(ctx, "traces", "spans", func(dataset string) []any {
		return Spans(req.Traces(), dataset)
	})
}

type logService struct {
	plogotlp.UnimplementedGRPCServer
	s *Server
}

func (l *logService) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	return plogotlp.NewExportResponse(), l.s.acceptGRPC(ctx, "logs", "logs", func(dataset string) []any {
		return Logs(req.Logs(), dataset)
	})
}

// acceptGRPC authenticates one gRPC export and records it; the error is what the client sees.
func (s *Server) acceptGRPC(ctx context.Context, signal, kind string, flatten func(dataset string) []any) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if reason := s.authError(md.Get(teamHeader)); reason != "" {
		s.note("grpc", signal, md, reason, 0)
		return status.Error(codes.Unauthenticated, reason)
	}
	items := flatten(first(md.Get(datasetHeader)))
	s.note("grpc", signal, md, "", len(items))
	s.Store.Add(kind, items...)
	return nil
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
		s.serveOTLP(w, r, "traces", req, ptraceotlp.NewExportResponse(), func(dataset string) []any {
			return Spans(req.Traces(), dataset)
		}, "spans")
	})
	mux.HandleFunc("POST /v1/logs", func(w http.ResponseWriter, r *http.Request) {
		req := plogotlp.NewExportRequest()
		s.serveOTLP(w, r, "logs", req, plogotlp.NewExportResponse(), func(dataset string) []any {
			return Logs(req.Logs(), dataset)
		}, "logs")
	})
	mux.HandleFunc("/standin/received", record.ReportHandler(s.Store, Kinds...))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		record.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return mux
}

func (s *Server) serveOTLP(w http.ResponseWriter, r *http.Request, signal string, req otlpRequest,
	resp otlpResponse, flatten func(dataset string) []any, kind string) {
	if reason := s.authError(r.Header.Values(teamHeader)); reason != "" {
		s.note("http", signal, r.Header, reason, 0)
		record.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": reason})
		return
	}
	reader := io.Reader(r.Body)
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			record.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid gzip body"})
			return
		}
		defer gz.Close()
		reader = gz
	}
	body, err := io.ReadAll(io.LimitReader(reader, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		record.WriteJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "request body too large"})
		return
	}
	isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	if isJSON {
		err = req.UnmarshalJSON(body)
	} else {
		err = req.UnmarshalProto(body)
	}
	if err != nil {
		record.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "cannot decode OTLP " + signal + ": " + err.Error()})
		return
	}
	items := flatten(r.Header.Get(datasetHeader))
	s.note("http", signal, r.Header, "", len(items))
	s.Store.Add(kind, items...)
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
