// Package record keeps what a stand-in received, bounded in size, and serves it as JSON so
// tests and people read the same evidence they would look for in the vendor's console.
package record

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Redacted replaces the value of every header that carries a credential. The stand-ins must
// never echo a key back: their reports end up in test output and logs.
const Redacted = "[redacted]"

// sensitiveHeaders are compared lower-case; gRPC metadata keys are already lower-case.
var sensitiveHeaders = map[string]bool{
	"x-honeycomb-team":       true,
	"x-amz-security-token":   true,
	"x-rollbar-access-token": true,
	"authorization":          true,
	"cookie":                 true,
	"proxy-authorization":    true,
}

// RedactHeaders flattens headers to one string per name and hides credential values.
func RedactHeaders(h map[string][]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		name := strings.ToLower(k)
		if sensitiveHeaders[name] {
			out[name] = Redacted
			continue
		}
		out[name] = strings.Join(v, ", ")
	}
	return out
}

// Store is a bounded, concurrency-safe log of what one stand-in received.
type Store struct {
	mu      sync.Mutex
	limit   int
	kinds   map[string][]any
	dropped int
}

// NewStore keeps at most limit entries per kind; past that it counts what it drops.
func NewStore(limit int) *Store {
	return &Store{limit: limit, kinds: map[string][]any{}}
}

// Add appends entries of one kind (e.g. "spans", "requests").
func (s *Store) Add(kind string, entries ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range entries {
		if len(s.kinds[kind]) >= s.limit {
			s.dropped++
			continue
		}
		s.kinds[kind] = append(s.kinds[kind], e)
	}
}

// Reset forgets everything, so one test's evidence does not leak into the next.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kinds = map[string][]any{}
	s.dropped = 0
}

// Snapshot returns a copy with every declared kind present (empty lists rather than absent),
// plus counts, so a report always has the same shape.
func (s *Store) Snapshot(kinds ...string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	counts := map[string]int{}
	all := append([]string{}, kinds...)
	for k := range s.kinds {
		all = append(all, k)
	}
	sort.Strings(all)
	for _, k := range all {
		list := append([]any{}, s.kinds[k]...)
		out[k] = list
		counts[k] = len(list)
	}
	out["counts"] = counts
	out["dropped"] = s.dropped
	return out
}

// WriteJSON writes v with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// ReportHandler serves GET (the snapshot) and DELETE (reset) on one path.
func ReportHandler(s *Store, kinds ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			WriteJSON(w, http.StatusOK, s.Snapshot(kinds...))
		case http.MethodDelete:
			s.Reset()
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", "GET, DELETE")
			WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
		}
	}
}
