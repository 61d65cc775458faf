package otlp

import (
	"errors"
	"fmt"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/cruddur/standins/internal/record"
)

const (
	teamHeader    = "x-honeycomb-team"
	datasetHeader = "x-honeycomb-dataset"
	// honeycombMaxBytes is this stand-in's own bound, not Honeycomb's: it only keeps one request
	// from costing the stand-in unbounded memory.
	honeycombMaxBytes = 16 << 20
)

// Honeycomb plays api.honeycomb.io: the team key in x-honeycomb-team, over gRPC and HTTP.
type Honeycomb struct {
	key string
}

// NewHoneycomb needs the team key the stand-in accepts; there is deliberately no default.
func NewHoneycomb(key string) (*Honeycomb, error) {
	if key == "" {
		return nil, errors.New("HONEYCOMB_API_KEY must be set: the stand-in only accepts that key")
	}
	return &Honeycomb{key: key}, nil
}

// check mirrors Honeycomb's answers: a missing header and an unknown key are both
// authentication failures.
func (h *Honeycomb) check(presented []string, dataset []string) (Accepted, *Refusal) {
	reason := ""
	switch {
	case len(presented) == 0 || presented[0] == "":
		reason = "missing '" + teamHeader + "' header"
	case !record.SecretEqual(presented[0], h.key):
		reason = "unknown API key - check your credentials"
	default:
		return Accepted{Route: Route{Dataset: first(dataset)}}, nil
	}
	return Accepted{}, &Refusal{HTTPStatus: http.StatusUnauthorized, GRPCCode: codes.Unauthenticated, Message: reason, Body: map[string]string{"error": reason}}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// CheckHTTP authenticates by header; the body is not part of Honeycomb's authentication.
func (h *Honeycomb) CheckHTTP(r *http.Request, _ []byte, _ Signal) (Accepted, *Refusal) {
	return h.check(r.Header.Values(teamHeader), r.Header.Values(datasetHeader))
}

// CheckGRPC authenticates by metadata.
func (h *Honeycomb) CheckGRPC(md metadata.MD, _ Signal) (Accepted, *Refusal) {
	return h.check(md.Get(teamHeader), md.Get(datasetHeader))
}

// Limits are the stand-in's memory bound only.
func (h *Honeycomb) Limits(Signal) Limits { return Limits{MaxBytes: honeycombMaxBytes} }

// TooLarge answers like the stand-in always has.
func (h *Honeycomb) TooLarge(_ Signal, size, limit int) *Refusal {
	return plainRefusal(http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large (%d bytes uncompressed, at most %d)", size, limit))
}

// TooMany never happens: Honeycomb mode has no item limit.
func (h *Honeycomb) TooMany(_ Signal, items, limit int) *Refusal {
	return plainRefusal(http.StatusRequestEntityTooLarge, fmt.Sprintf("%d items, at most %d", items, limit))
}
