package xray

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cruddur/standins/internal/record"
	"github.com/cruddur/standins/internal/sigv4"
)

const maxBodyBytes = 1 << 20

// Call is one request as the report shows it: what was asked, whether it was accepted, and what
// it was signed with (never the key or the signature itself).
type Call struct {
	Received  time.Time        `json:"received"`
	Operation string           `json:"operation"`
	Status    int              `json:"status"`
	Error     string           `json:"error,omitempty"`
	Signature *sigv4.Signature `json:"signature,omitempty"`
	// ClientIDs of a GetSamplingTargets call, to tell the clients of a fleet apart.
	ClientIDs []string `json:"clientIds,omitempty"`
}

// Kinds are the report's top-level lists.
var Kinds = []string{"calls"}

// Server answers X-Ray's REST-JSON control-plane API, SigV4-checked.
type Server struct {
	stateFile string
	Control   *ControlPlane
	Store     *record.Store
	auth      sigv4.Options
}

// Options: the one credential pair and region accepted, and the targets' timing.
type Options struct {
	AccessKeyID     string
	SecretAccessKey string
	Region          string
	Account         string
	Interval        time.Duration
	QuotaTTL        time.Duration
	Limit           int
	// StateFile, when set, keeps the rules and groups across restarts, as X-Ray does: read at
	// start if present, rewritten after every change.
	StateFile string
}

// New needs the credentials the stand-in accepts; there is deliberately no default.
func New(o Options) (*Server, error) {
	if o.AccessKeyID == "" || o.SecretAccessKey == "" {
		return nil, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set: the stand-in accepts only requests signed with that pair")
	}
	if o.Region == "" {
		return nil, errors.New("AWS_REGION must be set: a signature scoped to another region is refused")
	}
	if o.Interval < time.Second || o.QuotaTTL < o.Interval {
		return nil, errors.New("the targets interval must be at least 1s and the quota TTL at least the interval")
	}
	id, secret := o.AccessKeyID, o.SecretAccessKey
	control := NewControlPlane(Settings{Interval: o.Interval, QuotaTTL: o.QuotaTTL, Region: o.Region, Account: o.Account})
	if o.StateFile != "" {
		raw, err := os.ReadFile(o.StateFile)
		switch {
		case err == nil:
			var st State
			if err := json.Unmarshal(raw, &st); err != nil {
				return nil, fmt.Errorf("state file %s: %w", o.StateFile, err)
			}
			control.Restore(st)
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("state file: %w", err)
		}
	}
	return &Server{
		stateFile: o.StateFile,
		Control:   control,
		Store:     record.NewStore(o.Limit),
		auth: sigv4.Options{
			Service: "xray",
			Region:  o.Region,
			Credentials: func(accessKeyID string) (string, bool) {
				if record.SecretEqual(accessKeyID, id) {
					return secret, true
				}
				return "", false
			},
		},
	}, nil
}

// operation is one API call: its name and what it does with the decoded body.
type operation struct {
	name string
	run  func(s *Server, body []byte) (any, error)
}

// routes are X-Ray's REST paths (botocore's service model: POST, JSON in and out).
var routes = map[string]operation{
	"/CreateSamplingRule":         {"CreateSamplingRule", (*Server).createRule},
	"/UpdateSamplingRule":         {"UpdateSamplingRule", (*Server).updateRule},
	"/DeleteSamplingRule":         {"DeleteSamplingRule", (*Server).deleteRule},
	"/GetSamplingRules":           {"GetSamplingRules", (*Server).getRules},
	"/SamplingTargets":            {"GetSamplingTargets", (*Server).getTargets},
	"/SamplingStatisticSummaries": {"GetSamplingStatisticSummaries", (*Server).getSummaries},
	"/CreateGroup":                {"CreateGroup", (*Server).createGroup},
	"/UpdateGroup":                {"UpdateGroup", (*Server).updateGroup},
	"/GetGroup":                   {"GetGroup", (*Server).getGroup},
	"/Groups":                     {"GetGroups", (*Server).getGroups},
	"/DeleteGroup":                {"DeleteGroup", (*Server).deleteGroup},
}

// mutating are the calls that change the rules or groups, after which the state is saved.
var mutating = map[string]bool{
	"CreateSamplingRule": true, "UpdateSamplingRule": true, "DeleteSamplingRule": true,
	"CreateGroup": true, "UpdateGroup": true, "DeleteGroup": true,
}

// save writes the state file atomically (a temporary file renamed over it).
func (s *Server) save() error {
	if s.stateFile == "" {
		return nil
	}
	raw, err := json.MarshalIndent(s.Control.Snapshot(), "", "  ")
	if err != nil {
		return err
	}
	tmp := s.stateFile + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.stateFile)
}

// Handler serves the API, GET /healthz, and the report at /standin/received.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("/standin/received", s.report)
	mux.HandleFunc("/", s.api)
	return mux
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		record.ReportHandler(s.Store, Kinds...)(w, r)
		return
	}
	out := s.Store.Snapshot(Kinds...)
	out["rules"] = s.Control.Rules()
	out["groups"] = s.Control.Groups()
	out["quotas"] = s.Control.Quotas()
	out["statistics"] = s.Control.Summaries()
	record.WriteJSON(w, http.StatusOK, out)
}

// fail answers in restJson1's error shape: the exception name in X-Amzn-ErrorType (what the AWS
// SDKs match on) and in the body, with the message.
func fail(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	record.WriteJSON(w, status, map[string]string{"__type": code, "message": message})
}

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	call := Call{Received: time.Now().UTC(), Operation: strings.TrimPrefix(r.URL.Path, "/")}
	defer func() { s.Store.Add("calls", call) }()
	op, ok := routes[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		call.Status, call.Error = http.StatusNotFound, "UnknownOperationException"
		fail(w, call.Status, call.Error, "no X-Ray operation at "+r.Method+" "+r.URL.Path)
		return
	}
	call.Operation = op.name
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		call.Status, call.Error = http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException"
		fail(w, call.Status, call.Error, "request body over 1 MiB")
		return
	}
	sig, err := sigv4.Inspect(r, body, s.auth)
	if err != nil {
		var se *sigv4.Error
		if !errors.As(err, &se) {
			se = &sigv4.Error{Code: "InvalidSignatureException", Status: http.StatusForbidden, Reason: err.Error()}
		}
		call.Status, call.Error = se.Status, se.Code+": "+se.Reason
		fail(w, se.Status, se.Code, se.Reason)
		return
	}
	call.Signature = sig
	if op.name == "GetSamplingTargets" {
		call.ClientIDs = clientIDs(body)
	}
	out, err := op.run(s, body)
	if err != nil {
		var xe *Error
		if !errors.As(err, &xe) {
			xe = invalidRequest("%v", err)
		}
		call.Status, call.Error = http.StatusBadRequest, xe.Error()
		fail(w, call.Status, xe.Code, xe.Message)
		return
	}
	call.Status = http.StatusOK
	if mutating[op.name] {
		if err := s.save(); err != nil {
			log.Printf("xray-standin: saving state: %v", err)
		}
	}
	record.WriteJSON(w, http.StatusOK, out)
}

// decode reads a JSON body strictly: a misspelt field is an error, as in the AWS SDKs' validation.
func decode(body []byte, v any) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalidRequest("request body is not the expected JSON: %v", err)
	}
	return nil
}

func clientIDs(body []byte) []string {
	var in struct {
		SamplingStatisticsDocuments []StatisticsDocument
	}
	_ = json.Unmarshal(body, &in)
	seen := map[string]bool{}
	out := []string{}
	for _, d := range in.SamplingStatisticsDocuments {
		if !seen[d.ClientID] {
			seen[d.ClientID] = true
			out = append(out, d.ClientID)
		}
	}
	return out
}

type paged struct {
	NextToken *string `json:"NextToken"`
}

func (s *Server) createRule(body []byte) (any, error) {
	var in struct {
		SamplingRule *Rule
		Tags         []map[string]string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.SamplingRule == nil {
		return nil, invalidRequest("SamplingRule is required")
	}
	rec, err := s.Control.CreateRule(*in.SamplingRule)
	return map[string]any{"SamplingRuleRecord": rec}, err
}

func (s *Server) updateRule(body []byte) (any, error) {
	var in struct{ SamplingRuleUpdate *RuleUpdate }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.SamplingRuleUpdate == nil {
		return nil, invalidRequest("SamplingRuleUpdate is required")
	}
	rec, err := s.Control.UpdateRule(*in.SamplingRuleUpdate)
	return map[string]any{"SamplingRuleRecord": rec}, err
}

func (s *Server) deleteRule(body []byte) (any, error) {
	var in struct{ RuleName, RuleARN *string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	rec, err := s.Control.DeleteRule(in.RuleName, in.RuleARN)
	return map[string]any{"SamplingRuleRecord": rec}, err
}

func (s *Server) getRules(body []byte) (any, error) {
	var in paged
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return map[string]any{"SamplingRuleRecords": s.Control.Rules()}, nil
}

func (s *Server) getTargets(body []byte) (any, error) {
	var in struct{ SamplingStatisticsDocuments []StatisticsDocument }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.SamplingStatisticsDocuments == nil {
		return nil, invalidRequest("SamplingStatisticsDocuments is required")
	}
	return s.Control.Targets(in.SamplingStatisticsDocuments), nil
}

func (s *Server) getSummaries(body []byte) (any, error) {
	var in paged
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return map[string]any{"SamplingStatisticSummaries": s.Control.Summaries()}, nil
}

type groupInput struct {
	GroupName             string
	GroupARN              string
	FilterExpression      *string
	InsightsConfiguration map[string]any
	Tags                  []map[string]string
}

func (s *Server) createGroup(body []byte) (any, error) {
	var in groupInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	filter := ""
	set(&filter, in.FilterExpression)
	g, err := s.Control.CreateGroup(in.GroupName, filter, in.InsightsConfiguration)
	return map[string]any{"Group": g}, err
}

func (s *Server) updateGroup(body []byte) (any, error) {
	var in groupInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	g, err := s.Control.UpdateGroup(in.GroupName, in.GroupARN, in.FilterExpression, in.InsightsConfiguration)
	return map[string]any{"Group": g}, err
}

func (s *Server) getGroup(body []byte) (any, error) {
	var in groupInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	g, err := s.Control.GetGroup(in.GroupName, in.GroupARN)
	return map[string]any{"Group": g}, err
}

func (s *Server) getGroups(body []byte) (any, error) {
	var in paged
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return map[string]any{"Groups": s.Control.Groups()}, nil
}

func (s *Server) deleteGroup(body []byte) (any, error) {
	var in groupInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	return map[string]any{}, s.Control.DeleteGroup(in.GroupName, in.GroupARN)
}
