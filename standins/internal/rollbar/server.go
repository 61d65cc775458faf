// Package rollbar is a stand-in for Rollbar's item API (POST /api/1/item/): it authenticates
// with the project access token like Rollbar, answers in Rollbar's shape and records the items.
package rollbar

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/cruddur/standins/internal/record"
)

const maxItemBytes = 1 << 20

// Item is one accepted occurrence as the report shows it. The access token is never kept.
type Item struct {
	UUID        string            `json:"uuid"`
	Received    time.Time         `json:"received"`
	Level       string            `json:"level,omitempty"`
	Environment string            `json:"environment,omitempty"`
	Title       string            `json:"title,omitempty"`
	TokenFrom   string            `json:"tokenFrom"`
	Headers     map[string]string `json:"headers"`
	Data        map[string]any    `json:"data"`
}

// Rejection is one refused request.
type Rejection struct {
	Received time.Time         `json:"received"`
	Status   int               `json:"status"`
	Message  string            `json:"message"`
	Headers  map[string]string `json:"headers"`
}

// Kinds are the report's top-level lists.
var Kinds = []string{"items", "rejections"}

// Server holds the accepted token and the record.
type Server struct {
	token string
	Store *record.Store
}

// New needs the project access token the stand-in accepts; there is deliberately no default.
func New(token string, limit int) (*Server, error) {
	if token == "" {
		return nil, errors.New("ROLLBAR_ACCESS_TOKEN must be set: the stand-in only accepts that token")
	}
	return &Server{token: token, Store: record.NewStore(limit)}, nil
}

type payload struct {
	AccessToken string         `json:"access_token"`
	Data        map[string]any `json:"data"`
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.Store.Add("rejections", Rejection{Received: time.Now().UTC(), Status: status, Message: msg, Headers: record.RedactHeaders(r.Header)})
	record.WriteJSON(w, status, map[string]any{"err": 1, "message": msg})
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = (b[6] & 0x0f) | 0x40 // version 4
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func str(m map[string]any, key string) string {
	if v, ok := m[key].(string); ok {
		return v
	}
	return ""
}

// title follows Rollbar's own choice: an explicit title, else the message body, else the
// exception class and message.
func title(data map[string]any) string {
	if t := str(data, "title"); t != "" {
		return t
	}
	body, _ := data["body"].(map[string]any)
	if msg, ok := body["message"].(map[string]any); ok {
		return str(msg, "body")
	}
	if trace, ok := body["trace"].(map[string]any); ok {
		if exc, ok := trace["exception"].(map[string]any); ok {
			return str(exc, "class") + ": " + str(exc, "message")
		}
	}
	return ""
}

func (s *Server) postItem(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxItemBytes+1))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, "cannot read request body")
		return
	}
	if len(raw) > maxItemBytes {
		s.fail(w, r, http.StatusRequestEntityTooLarge, "payload too large")
		return
	}
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		s.fail(w, r, http.StatusBadRequest, "invalid JSON in request body")
		return
	}
	token, from := r.Header.Get("X-Rollbar-Access-Token"), "header"
	if token == "" {
		token, from = p.AccessToken, "body"
	}
	switch {
	case token == "":
		s.fail(w, r, http.StatusUnauthorized, "access token required")
		return
	case !record.SecretEqual(token, s.token):
		s.fail(w, r, http.StatusForbidden, "invalid access token")
		return
	case p.Data == nil:
		s.fail(w, r, http.StatusUnprocessableEntity, "'data' is required")
		return
	}
	id := str(p.Data, "uuid")
	if id == "" {
		id = newUUID()
	}
	s.Store.Add("items", Item{
		UUID: id, Received: time.Now().UTC(), Level: str(p.Data, "level"),
		Environment: str(p.Data, "environment"), Title: title(p.Data), TokenFrom: from,
		Headers: record.RedactHeaders(r.Header), Data: p.Data,
	})
	// Rollbar answers with the occurrence uuid; the item id is assigned asynchronously, so null.
	record.WriteJSON(w, http.StatusOK, map[string]any{"err": 0, "result": map[string]any{"id": nil, "uuid": id}})
}

// Handler serves the item API, the report and a health check.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/1/item/", s.postItem)
	mux.HandleFunc("GET /api/1/status/ping", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "pong")
	})
	mux.HandleFunc("/standin/received", record.ReportHandler(s.Store, Kinds...))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		record.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return mux
}
