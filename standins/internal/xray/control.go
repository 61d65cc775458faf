// Package xray is a stand-in for AWS X-Ray's control plane: sampling rules, sampling targets
// (the reservoir handed out to each client), sampling statistics, and groups. Its data plane
// (PutTraceSegments, BatchGetTraces, ...) stays on moto; moto implements none of these calls.
//
// The state lives here, free of HTTP, so the reservoir arithmetic is tested on its own.
package xray

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Limits X-Ray documents for sampling rules and groups.
const (
	maxRules        = 25 // per account and region, the Default rule included
	maxRuleName     = 32
	maxGroupName    = 32
	minPriority     = 1
	maxPriority     = 9999
	defaultRuleName = "Default"
	defaultPriority = 10000
)

// Rule is X-Ray's SamplingRule shape.
type Rule struct {
	RuleName      string            `json:"RuleName"`
	RuleARN       string            `json:"RuleARN"`
	ResourceARN   string            `json:"ResourceARN"`
	Priority      int               `json:"Priority"`
	FixedRate     float64           `json:"FixedRate"`
	ReservoirSize int               `json:"ReservoirSize"`
	ServiceName   string            `json:"ServiceName"`
	ServiceType   string            `json:"ServiceType"`
	Host          string            `json:"Host"`
	HTTPMethod    string            `json:"HTTPMethod"`
	URLPath       string            `json:"URLPath"`
	Version       int               `json:"Version"`
	Attributes    map[string]string `json:"Attributes"`
}

// RuleRecord is a rule with its creation and modification times, as GetSamplingRules lists it.
type RuleRecord struct {
	SamplingRule Rule    `json:"SamplingRule"`
	CreatedAt    float64 `json:"CreatedAt"`
	ModifiedAt   float64 `json:"ModifiedAt"`
}

// RuleUpdate is UpdateSamplingRule's SamplingRuleUpdate: every field but the rule's name or ARN
// is optional, and only the fields given change.
type RuleUpdate struct {
	RuleName      *string            `json:"RuleName"`
	RuleARN       *string            `json:"RuleARN"`
	ResourceARN   *string            `json:"ResourceARN"`
	Priority      *int               `json:"Priority"`
	FixedRate     *float64           `json:"FixedRate"`
	ReservoirSize *int               `json:"ReservoirSize"`
	ServiceName   *string            `json:"ServiceName"`
	ServiceType   *string            `json:"ServiceType"`
	Host          *string            `json:"Host"`
	HTTPMethod    *string            `json:"HTTPMethod"`
	URLPath       *string            `json:"URLPath"`
	Attributes    *map[string]string `json:"Attributes"`
}

// StatisticsDocument is what one client reports for one rule with each GetSamplingTargets call:
// counts since its previous report.
type StatisticsDocument struct {
	RuleName     string  `json:"RuleName"`
	ClientID     string  `json:"ClientID"`
	Timestamp    float64 `json:"Timestamp"`
	RequestCount int64   `json:"RequestCount"`
	SampledCount int64   `json:"SampledCount"`
	BorrowCount  int64   `json:"BorrowCount"`
}

// TargetDocument is what X-Ray answers a client for one rule: the fixed rate to apply, this
// client's share of the rule's per-second reservoir, until when that share holds, and when to ask again.
type TargetDocument struct {
	RuleName          string   `json:"RuleName"`
	FixedRate         float64  `json:"FixedRate"`
	ReservoirQuota    *int     `json:"ReservoirQuota,omitempty"`
	ReservoirQuotaTTL *float64 `json:"ReservoirQuotaTTL,omitempty"`
	Interval          *int     `json:"Interval,omitempty"`
}

// UnprocessedStatistics is a statistics document X-Ray refused (unknown rule, bad client id).
type UnprocessedStatistics struct {
	RuleName  string `json:"RuleName"`
	ErrorCode string `json:"ErrorCode"`
	Message   string `json:"Message"`
}

// Targets is GetSamplingTargets' answer.
type Targets struct {
	SamplingTargetDocuments []TargetDocument        `json:"SamplingTargetDocuments"`
	LastRuleModification    float64                 `json:"LastRuleModification"`
	UnprocessedStatistics   []UnprocessedStatistics `json:"UnprocessedStatistics"`
}

// StatisticSummary is one rule's totals, as GetSamplingStatisticSummaries lists them.
type StatisticSummary struct {
	RuleName     string  `json:"RuleName"`
	Timestamp    float64 `json:"Timestamp"`
	RequestCount int64   `json:"RequestCount"`
	SampledCount int64   `json:"SampledCount"`
	BorrowCount  int64   `json:"BorrowCount"`
}

// Group is X-Ray's Group shape.
type Group struct {
	GroupName             string         `json:"GroupName"`
	GroupARN              string         `json:"GroupARN"`
	FilterExpression      string         `json:"FilterExpression,omitempty"`
	InsightsConfiguration map[string]any `json:"InsightsConfiguration,omitempty"`
}

// Error is a refusal in X-Ray's terms: the exception name clients match on and its message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func invalidRequest(format string, args ...any) *Error {
	return &Error{Code: "InvalidRequestException", Message: fmt.Sprintf(format, args...)}
}

// Quota is one client's current share of one rule's reservoir, as the report shows it.
type Quota struct {
	RuleName string    `json:"RuleName"`
	ClientID string    `json:"ClientID"`
	Quota    int       `json:"Quota"`
	Expires  time.Time `json:"Expires"`
}

// Settings shape the targets the control plane hands out.
type Settings struct {
	// Interval is how often clients are told to ask for targets (X-Ray: 10 s).
	Interval time.Duration
	// QuotaTTL is how long a quota holds after it is granted. One interval plus a margin, so a
	// client that polls on time never sees its quota lapse, and one that stops polling (or is
	// cut off from the control plane) gives its share back within QuotaTTL.
	QuotaTTL time.Duration
	Region   string
	Account  string
	Now      func() time.Time
}

type ruleState struct {
	record RuleRecord
	totals StatisticSummary
}

type clientKey struct{ rule, client string }

type grant struct {
	quota   int
	expires time.Time
}

// ControlPlane holds the rules, groups, statistics and granted quotas. Safe for concurrent use.
type ControlPlane struct {
	mu           sync.Mutex
	settings     Settings
	rules        map[string]*ruleState
	groups       map[string]*Group
	grants       map[clientKey]grant
	lastModified time.Time
}

// NewControlPlane starts with what every account has: the Default rule (1 per second plus 5 %).
func NewControlPlane(s Settings) *ControlPlane {
	if s.Now == nil {
		s.Now = time.Now
	}
	c := &ControlPlane{settings: s, rules: map[string]*ruleState{}, groups: map[string]*Group{}, grants: map[clientKey]grant{}}
	now := s.Now()
	def := Rule{
		RuleName: defaultRuleName, ResourceARN: "*", Priority: defaultPriority, FixedRate: 0.05, ReservoirSize: 1,
		ServiceName: "*", ServiceType: "*", Host: "*", HTTPMethod: "*", URLPath: "*", Version: 1, Attributes: map[string]string{},
	}
	def.RuleARN = c.ruleARN(def.RuleName)
	c.rules[def.RuleName] = &ruleState{record: RuleRecord{SamplingRule: def, CreatedAt: epoch(now), ModifiedAt: epoch(now)}}
	c.lastModified = now
	return c
}

// epoch is X-Ray's timestamp: seconds since 1970 with a fraction, so a client comparing
// LastRuleModification with its own clock in milliseconds sees a change made within the second.
func epoch(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

func (c *ControlPlane) ruleARN(name string) string {
	return fmt.Sprintf("arn:aws:xray:%s:%s:sampling-rule/%s", c.settings.Region, c.settings.Account, name)
}

func (c *ControlPlane) groupARN(name string) string {
	return fmt.Sprintf("arn:aws:xray:%s:%s:group/%s/%s", c.settings.Region, c.settings.Account, name, strings.Repeat("0", 8))
}

func validateRule(r Rule) *Error {
	switch {
	case r.RuleName == "" || len(r.RuleName) > maxRuleName:
		return invalidRequest("RuleName must be 1 to %d characters", maxRuleName)
	case r.RuleName == defaultRuleName:
		return invalidRequest("RuleName %q is reserved", defaultRuleName)
	case r.Priority < minPriority || r.Priority > maxPriority:
		return invalidRequest("Priority must be between %d and %d, got %d", minPriority, maxPriority, r.Priority)
	case r.FixedRate < 0 || r.FixedRate > 1:
		return invalidRequest("FixedRate must be between 0 and 1, got %v", r.FixedRate)
	case r.ReservoirSize < 0:
		return invalidRequest("ReservoirSize must be 0 or more, got %d", r.ReservoirSize)
	case r.Version != 1:
		return invalidRequest("Version must be 1, got %d", r.Version)
	}
	for field, value := range map[string]string{
		"ResourceARN": r.ResourceARN, "ServiceName": r.ServiceName, "ServiceType": r.ServiceType,
		"Host": r.Host, "HTTPMethod": r.HTTPMethod, "URLPath": r.URLPath,
	} {
		if value == "" {
			return invalidRequest("%s is required (use \"*\" to match anything)", field)
		}
	}
	return nil
}

// CreateRule adds a rule; its name must be new.
func (c *ControlPlane) CreateRule(r Rule) (RuleRecord, error) {
	if e := validateRule(r); e != nil {
		return RuleRecord{}, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.rules[r.RuleName]; ok {
		return RuleRecord{}, invalidRequest("A sampling rule named %s already exists", r.RuleName)
	}
	if len(c.rules) >= maxRules {
		return RuleRecord{}, &Error{Code: "RuleLimitExceededException", Message: fmt.Sprintf("You have reached the maximum number of sampling rules (%d)", maxRules)}
	}
	if r.Attributes == nil {
		r.Attributes = map[string]string{}
	}
	now := c.settings.Now()
	r.RuleARN = c.ruleARN(r.RuleName)
	rec := RuleRecord{SamplingRule: r, CreatedAt: epoch(now), ModifiedAt: epoch(now)}
	c.rules[r.RuleName] = &ruleState{record: rec}
	c.lastModified = now
	return rec, nil
}

// lookupRule finds a rule by name or ARN (one of the two, as X-Ray asks).
func (c *ControlPlane) lookupRule(name, arn *string) (*ruleState, *Error) {
	switch {
	case name != nil && *name != "":
		if st, ok := c.rules[*name]; ok {
			return st, nil
		}
		return nil, invalidRequest("Sampling rule %s not found", *name)
	case arn != nil && *arn != "":
		for _, st := range c.rules {
			if st.record.SamplingRule.RuleARN == *arn {
				return st, nil
			}
		}
		return nil, invalidRequest("Sampling rule %s not found", *arn)
	}
	return nil, invalidRequest("RuleName or RuleARN is required")
}

// UpdateRule changes the given fields of a rule. The Default rule only takes FixedRate and ReservoirSize.
func (c *ControlPlane) UpdateRule(u RuleUpdate) (RuleRecord, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, e := c.lookupRule(u.RuleName, u.RuleARN)
	if e != nil {
		return RuleRecord{}, e
	}
	r := st.record.SamplingRule
	isDefault := r.RuleName == defaultRuleName
	if isDefault && (u.ResourceARN != nil || u.Priority != nil || u.ServiceName != nil || u.ServiceType != nil ||
		u.Host != nil || u.HTTPMethod != nil || u.URLPath != nil || u.Attributes != nil) {
		return RuleRecord{}, invalidRequest("Only FixedRate and ReservoirSize of the %s rule can be changed", defaultRuleName)
	}
	set(&r.ResourceARN, u.ResourceARN)
	set(&r.Priority, u.Priority)
	set(&r.FixedRate, u.FixedRate)
	set(&r.ReservoirSize, u.ReservoirSize)
	set(&r.ServiceName, u.ServiceName)
	set(&r.ServiceType, u.ServiceType)
	set(&r.Host, u.Host)
	set(&r.HTTPMethod, u.HTTPMethod)
	set(&r.URLPath, u.URLPath)
	set(&r.Attributes, u.Attributes)
	check := r
	if isDefault {
		check.RuleName, check.Priority = "check", minPriority // the reserved name and priority are its own
	}
	if e := validateRule(check); e != nil {
		return RuleRecord{}, e
	}
	now := c.settings.Now()
	st.record.SamplingRule = r
	st.record.ModifiedAt = epoch(now)
	c.lastModified = now
	return st.record, nil
}

func set[T any](field *T, value *T) {
	if value != nil {
		*field = *value
	}
}

// DeleteRule removes a rule (never the Default one) and the quotas granted for it.
func (c *ControlPlane) DeleteRule(name, arn *string) (RuleRecord, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, e := c.lookupRule(name, arn)
	if e != nil {
		return RuleRecord{}, e
	}
	if st.record.SamplingRule.RuleName == defaultRuleName {
		return RuleRecord{}, invalidRequest("The %s rule cannot be deleted", defaultRuleName)
	}
	delete(c.rules, st.record.SamplingRule.RuleName)
	for k := range c.grants {
		if k.rule == st.record.SamplingRule.RuleName {
			delete(c.grants, k)
		}
	}
	c.lastModified = c.settings.Now()
	return st.record, nil
}

// Rules lists every rule, highest priority (lowest number) first, then by name, as X-Ray does.
func (c *ControlPlane) Rules() []RuleRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]RuleRecord, 0, len(c.rules))
	for _, st := range c.rules {
		out = append(out, st.record)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].SamplingRule, out[j].SamplingRule
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.RuleName < b.RuleName
	})
	return out
}

// Targets records the clients' statistics and answers each known rule with the client's share
// of the rule's reservoir.
//
// The split: every client holding an unexpired quota for the rule, plus the one asking, shares
// the ReservoirSize evenly; the remainder goes one each to the clients first by ClientID. So the
// quotas in force add up to ReservoirSize per second and the fleet never samples more from the
// reservoir than the rule allows, except while a newcomer's share is carved out: the others keep
// their larger share until their own next call (at most one Interval). X-Ray itself weights the
// split by each client's request rate; an even split is the stand-in's simplification, and the
// same for one client (the tests' case: that client gets the whole reservoir).
func (c *ControlPlane) Targets(docs []StatisticsDocument) Targets {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.settings.Now()
	for k, g := range c.grants {
		if !now.Before(g.expires) {
			delete(c.grants, k)
		}
	}
	out := Targets{SamplingTargetDocuments: []TargetDocument{}, LastRuleModification: epoch(c.lastModified), UnprocessedStatistics: []UnprocessedStatistics{}}
	interval := int(c.settings.Interval / time.Second)
	ttl := epoch(now.Add(c.settings.QuotaTTL))
	seen := map[string]bool{}
	for _, d := range docs {
		st, ok := c.rules[d.RuleName]
		switch {
		case !ok:
			out.UnprocessedStatistics = append(out.UnprocessedStatistics, UnprocessedStatistics{RuleName: d.RuleName, ErrorCode: "400", Message: "Unknown rule"})
			continue
		case len(d.ClientID) != 24:
			out.UnprocessedStatistics = append(out.UnprocessedStatistics, UnprocessedStatistics{RuleName: d.RuleName, ErrorCode: "400", Message: "ClientID must be 24 hexadecimal characters"})
			continue
		case d.RequestCount < 0 || d.SampledCount < 0 || d.BorrowCount < 0:
			out.UnprocessedStatistics = append(out.UnprocessedStatistics, UnprocessedStatistics{RuleName: d.RuleName, ErrorCode: "400", Message: "Counts must not be negative"})
			continue
		}
		st.totals.RequestCount += d.RequestCount
		st.totals.SampledCount += d.SampledCount
		st.totals.BorrowCount += d.BorrowCount
		st.totals.Timestamp = epoch(now)
		if seen[d.RuleName] {
			continue // one target per rule, however many documents a client sent for it
		}
		seen[d.RuleName] = true
		quota := c.share(d.RuleName, d.ClientID, st.record.SamplingRule.ReservoirSize)
		c.grants[clientKey{d.RuleName, d.ClientID}] = grant{quota: quota, expires: now.Add(c.settings.QuotaTTL)}
		out.SamplingTargetDocuments = append(out.SamplingTargetDocuments, TargetDocument{
			RuleName: d.RuleName, FixedRate: st.record.SamplingRule.FixedRate,
			ReservoirQuota: &quota, ReservoirQuotaTTL: &ttl, Interval: &interval,
		})
	}
	return out
}

// share is the asking client's even share of size among the clients holding a quota for rule.
func (c *ControlPlane) share(rule, client string, size int) int {
	clients := []string{client}
	for k := range c.grants {
		if k.rule == rule && k.client != client {
			clients = append(clients, k.client)
		}
	}
	slices.Sort(clients)
	n := len(clients)
	quota := size / n
	if slices.Index(clients, client) < size%n {
		quota++
	}
	return quota
}

// Quotas lists the quotas in force, for the report.
func (c *ControlPlane) Quotas() []Quota {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.settings.Now()
	out := []Quota{}
	for k, g := range c.grants {
		if now.Before(g.expires) {
			out = append(out, Quota{RuleName: k.rule, ClientID: k.client, Quota: g.quota, Expires: g.expires})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].RuleName != out[j].RuleName {
			return out[i].RuleName < out[j].RuleName
		}
		return out[i].ClientID < out[j].ClientID
	})
	return out
}

// Summaries are each rule's statistics as reported by its clients since the rule was created
// (X-Ray keeps a rolling window; the stand-in keeps everything so tests can add up exactly).
func (c *ControlPlane) Summaries() []StatisticSummary {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := []StatisticSummary{}
	for name, st := range c.rules {
		s := st.totals
		s.RuleName = name
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RuleName < out[j].RuleName })
	return out
}

func validateGroupName(name string) *Error {
	if name == "" || len(name) > maxGroupName {
		return invalidRequest("GroupName must be 1 to %d characters", maxGroupName)
	}
	if name == defaultRuleName {
		return invalidRequest("GroupName %q is reserved", defaultRuleName)
	}
	return nil
}

// CreateGroup adds a group; its name must be new.
func (c *ControlPlane) CreateGroup(name, filter string, insights map[string]any) (Group, error) {
	if e := validateGroupName(name); e != nil {
		return Group{}, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.groups[name]; ok {
		return Group{}, invalidRequest("Group %s already exists", name)
	}
	if insights == nil {
		insights = map[string]any{"InsightsEnabled": false, "NotificationsEnabled": false}
	}
	g := &Group{GroupName: name, GroupARN: c.groupARN(name), FilterExpression: filter, InsightsConfiguration: insights}
	c.groups[name] = g
	return *g, nil
}

func (c *ControlPlane) lookupGroup(name, arn string) (*Group, *Error) {
	for _, g := range c.groups {
		if (name != "" && g.GroupName == name) || (name == "" && arn != "" && g.GroupARN == arn) {
			return g, nil
		}
	}
	if name == "" && arn == "" {
		return nil, invalidRequest("GroupName or GroupARN is required")
	}
	return nil, invalidRequest("Group not found")
}

// UpdateGroup changes a group's filter expression and/or insights configuration.
func (c *ControlPlane) UpdateGroup(name, arn string, filter *string, insights map[string]any) (Group, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, e := c.lookupGroup(name, arn)
	if e != nil {
		return Group{}, e
	}
	set(&g.FilterExpression, filter)
	if insights != nil {
		g.InsightsConfiguration = insights
	}
	return *g, nil
}

// GetGroup returns one group.
func (c *ControlPlane) GetGroup(name, arn string) (Group, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, e := c.lookupGroup(name, arn)
	if e != nil {
		return Group{}, e
	}
	return *g, nil
}

// DeleteGroup removes one group.
func (c *ControlPlane) DeleteGroup(name, arn string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	g, e := c.lookupGroup(name, arn)
	if e != nil {
		return e
	}
	delete(c.groups, g.GroupName)
	return nil
}

// Groups lists every group, by name.
func (c *ControlPlane) Groups() []Group {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Group, 0, len(c.groups))
	for _, g := range c.groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].GroupName < out[j].GroupName })
	return out
}

// State is what survives a restart: the rules and groups, as X-Ray keeps them. Statistics and
// quotas are the clients' to rebuild (they report again within one interval).
type State struct {
	Rules  []RuleRecord `json:"rules"`
	Groups []Group      `json:"groups"`
}

// Snapshot returns the rules and groups.
func (c *ControlPlane) Snapshot() State {
	return State{Rules: c.Rules(), Groups: c.Groups()}
}

// Restore replaces the rules and groups with a snapshot's (the Default rule included).
func (c *ControlPlane) Restore(s State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range s.Rules {
		c.rules[r.SamplingRule.RuleName] = &ruleState{record: r}
	}
	for _, g := range s.Groups {
		c.groups[g.GroupName] = &g
	}
	c.lastModified = c.settings.Now()
}
