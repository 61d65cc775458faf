// Package sigv4 verifies the AWS Signature Version 4 of an incoming HTTP request the way an AWS
// endpoint does, so the stand-ins refuse what AWS refuses: a missing or malformed Authorization
// header, a credential scoped to another service, region or day, a signature that does not cover
// host and x-amz-date, a body that does not match its x-amz-content-sha256, a request signed too
// long ago, an unknown access key, or a signature that does not match.
//
// The signature itself is recomputed with the AWS SDK's own v4 signer (aws-sdk-go-v2
// aws/signer/v4): the request is rebuilt with exactly the headers the client says it signed and
// signed again with the secret the credential lookup returns. That keeps the canonicalization
// (path escaping, header trimming, query encoding) identical to the SDK the collector's sigv4auth
// extension signs with, instead of a hand-written copy of it.
package sigv4

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	algorithm     = "AWS4-HMAC-SHA256"
	amzDateLayout = "20060102T150405Z"
	scopeDate     = "20060102"
	// DefaultMaxSkew is how far AWS lets x-amz-date drift from its clock before it answers
	// "Signature expired" / "Signature not yet current" (documented as 15 minutes).
	DefaultMaxSkew = 15 * time.Minute
	// unsignedPayload is S3's opt-out of payload signing; the JSON and OTLP endpoints refuse it.
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// Options says what a valid request looks like for one endpoint.
type Options struct {
	// Service is the signing name the credential scope must carry ("xray", "logs", ...).
	Service string
	// Region is the region the credential scope must carry ("us-east-1", ...).
	Region string
	// Credentials returns the secret access key for an access key id, and false for an unknown id.
	Credentials func(accessKeyID string) (secret string, ok bool)
	// Now is the verifier's clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew bounds |Now - x-amz-date|; zero means DefaultMaxSkew.
	MaxSkew time.Duration
}

// Error is a refused request: the AWS error code, the HTTP status AWS answers with, and a reason
// that names what was wrong without repeating any secret.
type Error struct {
	Code   string
	Status int
	Reason string
}

func (e *Error) Error() string { return e.Code + ": " + e.Reason }

func incomplete(format string, args ...any) *Error {
	return &Error{Code: "IncompleteSignatureException", Status: http.StatusBadRequest, Reason: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *Error {
	return &Error{Code: "InvalidSignatureException", Status: http.StatusForbidden, Reason: fmt.Sprintf(format, args...)}
}

// Signature is what a verified request was signed with; nothing in it is secret.
type Signature struct {
	AccessKeyID   string   `json:"-"`
	Date          string   `json:"date"`
	Region        string   `json:"region"`
	Service       string   `json:"service"`
	SignedHeaders []string `json:"signedHeaders"`
	PayloadHash   string   `json:"payloadHash"`
	SessionToken  bool     `json:"sessionToken"`
}

type authorization struct {
	accessKeyID   string
	date          string
	region        string
	service       string
	terminator    string
	signedHeaders []string
	signature     string
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/xray/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=hex".
func parseAuthorization(header string) (*authorization, *Error) {
	alg, rest, found := strings.Cut(header, " ")
	if !found || alg != algorithm {
		return nil, incomplete("Authorization header must start with '%s '", algorithm)
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, incomplete("Authorization header element %q is not key=value", strings.TrimSpace(part))
		}
		fields[k] = v
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[k] == "" {
			return nil, incomplete("Authorization header requires '%s' parameter", k)
		}
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 {
		return nil, incomplete("Credential must have 5 slash-separated parts (key/date/region/service/aws4_request), got %d", len(scope))
	}
	return &authorization{
		accessKeyID:   scope[0],
		date:          scope[1],
		region:        scope[2],
		service:       scope[3],
		terminator:    scope[4],
		signedHeaders: strings.Split(fields["SignedHeaders"], ";"),
		signature:     fields["Signature"],
	}, nil
}

// Verify checks the request's SigV4 Authorization header against opts; body is the request body
// exactly as received (still compressed, if it was). A nil error means AWS would accept it.
func Verify(r *http.Request, body []byte, opts Options) error {
	_, err := Inspect(r, body, opts)
	return err
}

// Inspect is Verify that also returns what the request was signed with, for a stand-in's report.
func Inspect(r *http.Request, body []byte, opts Options) (*Signature, error) {
	sig, err := inspect(r, body, opts)
	if err != nil {
		return nil, err
	}
	return sig, nil
}

func inspect(r *http.Request, body []byte, opts Options) (*Signature, *Error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, &Error{Code: "MissingAuthenticationTokenException", Status: http.StatusForbidden, Reason: "Missing Authentication Token"}
	}
	auth, e := parseAuthorization(header)
	if e != nil {
		return nil, e
	}
	if e := checkScope(auth, opts); e != nil {
		return nil, e
	}
	signedAt, e := checkDate(r, auth, opts)
	if e != nil {
		return nil, e
	}
	payloadHash, e := checkPayload(r, body)
	if e != nil {
		return nil, e
	}
	if opts.Credentials == nil {
		return nil, &Error{Code: "UnrecognizedClientException", Status: http.StatusForbidden, Reason: "no credentials configured"}
	}
	secret, ok := opts.Credentials(auth.accessKeyID)
	if !ok {
		return nil, &Error{Code: "UnrecognizedClientException", Status: http.StatusForbidden, Reason: "The security token included in the request is invalid."}
	}
	want, e := resign(r, auth, payloadHash, signedAt, aws.Credentials{
		AccessKeyID:     auth.accessKeyID,
		SecretAccessKey: secret,
		SessionToken:    r.Header.Get("X-Amz-Security-Token"),
	})
	if e != nil {
		return nil, e
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(auth.signature)) != 1 {
		return nil, invalid("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return &Signature{
		AccessKeyID:   auth.accessKeyID,
		Date:          auth.date,
		Region:        auth.region,
		Service:       auth.service,
		SignedHeaders: auth.signedHeaders,
		PayloadHash:   payloadHash,
		SessionToken:  r.Header.Get("X-Amz-Security-Token") != "",
	}, nil
}

func checkScope(auth *authorization, opts Options) *Error {
	if auth.terminator != "aws4_request" {
		return incomplete("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'", auth.terminator)
	}
	if auth.service != opts.Service {
		return invalid("Credential should be scoped to correct service: '%s', not '%s'", opts.Service, auth.service)
	}
	if auth.region != opts.Region {
		return invalid("Credential should be scoped to a valid region: '%s', not '%s'", opts.Region, auth.region)
	}
	if !slices.Contains(auth.signedHeaders, "host") {
		return invalid("'Host' must be a signed header")
	}
	if !slices.IsSorted(auth.signedHeaders) {
		return incomplete("SignedHeaders must be lower-case and sorted: %s", strings.Join(auth.signedHeaders, ";"))
	}
	return nil
}

// checkDate requires a signed x-amz-date, within the allowed skew, on the scope's day.
func checkDate(r *http.Request, auth *authorization, opts Options) (time.Time, *Error) {
	raw := r.Header.Get("X-Amz-Date")
	if raw == "" {
		return time.Time{}, incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header; this verifier accepts only 'X-Amz-Date'")
	}
	if !slices.Contains(auth.signedHeaders, "x-amz-date") {
		return time.Time{}, invalid("'X-Amz-Date' must be a signed header")
	}
	signedAt, err := time.Parse(amzDateLayout, raw)
	if err != nil {
		return time.Time{}, incomplete("X-Amz-Date %q is not in ISO-8601 basic format (YYYYMMDDTHHMMSSZ)", raw)
	}
	if signedAt.Format(scopeDate) != auth.date {
		return time.Time{}, invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s'", auth.date, signedAt.Format(scopeDate))
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	skew := opts.MaxSkew
	if skew == 0 {
		skew = DefaultMaxSkew
	}
	current := now().UTC()
	if signedAt.Before(current.Add(-skew)) {
		return time.Time{}, invalid("Signature expired: %s is now earlier than %s (%s - %s.)", raw, current.Add(-skew).Format(amzDateLayout), current.Format(amzDateLayout), skew)
	}
	if signedAt.After(current.Add(skew)) {
		return time.Time{}, invalid("Signature not yet current: %s is still later than %s (%s + %s.)", raw, current.Add(skew).Format(amzDateLayout), current.Format(amzDateLayout), skew)
	}
	return signedAt, nil
}

// checkPayload returns the body's hash; a client-sent x-amz-content-sha256 must equal it.
func checkPayload(r *http.Request, body []byte) (string, *Error) {
	sum := sha256.Sum256(body)
	actual := hex.EncodeToString(sum[:])
	claimed := r.Header.Get("X-Amz-Content-Sha256")
	switch claimed {
	case "":
		return actual, nil
	case unsignedPayload:
		return "", invalid("x-amz-content-sha256 'UNSIGNED-PAYLOAD' is not accepted by this endpoint: the payload must be signed")
	case actual:
		return actual, nil
	default:
		return "", invalid("The provided 'x-amz-content-sha256' header does not match what was computed (body of %d bytes)", len(body))
	}
}

// resign rebuilds the request from its signed parts only and signs it again with the SDK signer.
func resign(r *http.Request, auth *authorization, payloadHash string, signedAt time.Time, creds aws.Credentials) (string, *Error) {
	u := &url.URL{Scheme: "https", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	clone, err := http.NewRequestWithContext(context.Background(), r.Method, u.String(), http.NoBody)
	if err != nil {
		return "", incomplete("request URL cannot be rebuilt: %v", err)
	}
	clone.Host = r.Host
	clone.Header = http.Header{}
	for _, name := range auth.signedHeaders {
		switch name {
		case "host":
			continue
		case "content-length":
			// The SDK signs content-length from the request's length, not from a header.
			clone.ContentLength = r.ContentLength
			continue
		}
		values := r.Header.Values(name)
		if len(values) == 0 {
			return "", invalid("signed header '%s' is not present in the request", name)
		}
		clone.Header[http.CanonicalHeaderKey(name)] = values
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, clone, payloadHash, auth.service, auth.region, signedAt); err != nil {
		return "", incomplete("request cannot be re-signed: %v", err)
	}
	again, e := parseAuthorization(clone.Header.Get("Authorization"))
	if e != nil {
		return "", e
	}
	// The SDK leaves some headers out of a signature (user-agent, expect, ...). A client that
	// signed one of them computed a canonical request the SDK cannot reproduce.
	if !slices.Equal(again.signedHeaders, auth.signedHeaders) {
		return "", invalid("signed headers %s cannot be verified; the SDK signs %s for this request", strings.Join(auth.signedHeaders, ";"), strings.Join(again.signedHeaders, ";"))
	}
	return again.signature, nil
}
