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
	// counted: entries only counted, not kept, by what they were counted as (see Count).
	counted map[string]int
}

// NewStore keeps at most limit entries per kind; past that it counts what it drops.
func NewStore(limit int) *Store {
	return &Store{limit: limit, kinds: map[string][]any{}, counted: map[string]int{}}
}

// Count records that n entries under name arrived without keeping them: load tests flood a
// stand-in with data whose content nobody reads, and keeping it would crowd out the evidence.
func (s *Store) Count(name string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counted[name] += n
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
	s.counted = map[string]int{}
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
	counted := map[string]int{}
	for k, v := range s.counted {
		counted[k] = v
	}
	out["counted"] = counted
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
