package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	keyID  = "AKIDSTANDINEXAMPLE"
	secret = "standin/secret/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var (
	clock = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	opts  = Options{
		Service: "xray",
		Region:  "eu-west-1",
		Credentials: func(id string) (string, bool) {
			if id == keyID {
				return secret, true
			}
			return "", false
		},
		Now: func() time.Time { return clock },
	}
	goodCreds = aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
)

type signing struct {
	creds   aws.Credentials
	service string
	region  string
	at      time.Time
	// sendHash sets x-amz-content-sha256 to the hash that was signed, as S3-style clients do.
	sendHash bool
	// hash overrides the payload hash given to the signer.
	hash string
}

func defaultSigning() signing {
	return signing{creds: goodCreds, service: "xray", region: "eu-west-1", at: clock}
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// send signs a request to the test server with the real SDK signer, lets tamper change it after
// signing, and returns what Verify said on the server side of a real HTTP exchange.
func send(t *testing.T, path string, body []byte, header http.Header, s signing, tamper func(*http.Request)) (*Signature, error) {
	t.Helper()
	type result struct {
		sig *Signature
		err error
	}
	results := make(chan result, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		sig, err := Inspect(r, got, opts)
		results <- result{sig, err}
	}))
	defer srv.Close()

	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	hash := s.hash
	if hash == "" {
		hash = hashOf(body)
	}
	if s.sendHash {
		req.Header.Set("X-Amz-Content-Sha256", hash)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), s.creds, req, hash, s.service, s.region, s.at); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	r := <-results
	return r.sig, r.err
}

func otlpHeader() http.Header {
	return http.Header{"Content-Type": {"application/x-protobuf"}}
}

func TestAcceptsRequestsSignedBySDK(t *testing.T) {
	body := []byte("\x0a\x02otlp-traces-payload")
	cases := map[string]struct {
		path   string
		header http.Header
		s      func(signing) signing
	}{
		"protobuf body":          {path: "/v1/traces", header: otlpHeader()},
		"with content hash":      {path: "/v1/traces", header: otlpHeader(), s: func(s signing) signing { s.sendHash = true; return s }},
		"with session token":     {path: "/v1/traces", header: otlpHeader(), s: func(s signing) signing { s.creds.SessionToken = "tok/en+value=="; return s }},
		"query and escaped path": {path: "/v1/a%20b/traces?b=2&a=1", header: otlpHeader()},
		"log group headers": {path: "/v1/logs", header: http.Header{
			"Content-Type":     {"application/json"},
			"Content-Encoding": {"gzip"},
			"X-Aws-Log-Group":  {"/cruddur/app"},
			"X-Aws-Log-Stream": {"collector  one"},
		}},
		"signed 14 minutes ago": {path: "/v1/traces", header: otlpHeader(), s: func(s signing) signing { s.at = clock.Add(-14 * time.Minute); return s }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := defaultSigning()
			if c.s != nil {
				s = c.s(s)
			}
			sig, err := send(t, c.path, body, c.header, s, nil)
			if err != nil {
				t.Fatalf("Verify refused a request the SDK signed: %v", err)
			}
			if sig.Service != "xray" || sig.Region != "eu-west-1" || sig.Date != s.at.Format("20060102") || sig.PayloadHash != hashOf(body) {
				t.Fatalf("signature details: %+v", sig)
			}
			for _, h := range []string{"host", "x-amz-date", "content-length"} {
				if !strings.Contains(";"+strings.Join(sig.SignedHeaders, ";")+";", ";"+h+";") {
					t.Fatalf("signed headers %v lack %s", sig.SignedHeaders, h)
				}
			}
			if sig.SessionToken != (s.creds.SessionToken != "") {
				t.Fatalf("session token flag %v", sig.SessionToken)
			}
		})
	}
}

func TestUnsignedHeaderAddedLaterIsIgnored(t *testing.T) {
	_, err := send(t, "/v1/traces", []byte("x"), otlpHeader(), defaultSigning(), func(r *http.Request) {
		r.Header.Set("X-Forwarded-For", "10.0.0.1")
	})
	if err != nil {
		t.Fatalf("an unsigned header must not matter: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	body := []byte("payload")
	cases := map[string]struct {
		s      func(signing) signing
		tamper func(*http.Request)
		code   string
		status int
		reason string
	}{
		"no authorization": {
			tamper: func(r *http.Request) { r.Header.Del("Authorization") },
			code:   "MissingAuthenticationTokenException", status: 403, reason: "Missing Authentication Token",
		},
		"wrong algorithm": {
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1))
			},
			code: "IncompleteSignatureException", status: 400, reason: "must start with 'AWS4-HMAC-SHA256 '",
		},
		"no signature element": {
			tamper: func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			},
			code: "IncompleteSignatureException", status: 400, reason: "requires 'Signature' parameter",
		},
		"wrong service scope": {
			s:    func(s signing) signing { s.service = "logs"; return s },
			code: "InvalidSignatureException", status: 403, reason: "Credential should be scoped to correct service: 'xray', not 'logs'",
		},
		"wrong region scope": {
			s:    func(s signing) signing { s.region = "us-east-1"; return s },
			code: "InvalidSignatureException", status: 403, reason: "scoped to a valid region: 'eu-west-1', not 'us-east-1'",
		},
		"unknown access key": {
			s:    func(s signing) signing { s.creds.AccessKeyID = "AKIDUNKNOWN"; return s },
			code: "UnrecognizedClientException", status: 403, reason: "security token included in the request is invalid",
		},
		"wrong secret": {
			s:    func(s signing) signing { s.creds.SecretAccessKey = "not-the-secret"; return s },
			code: "InvalidSignatureException", status: 403, reason: "does not match the signature you provided",
		},
		"signed 16 minutes ago": {
			s:    func(s signing) signing { s.at = clock.Add(-16 * time.Minute); return s },
			code: "InvalidSignatureException", status: 403, reason: "Signature expired",
		},
		"signed 16 minutes ahead": {
			s:    func(s signing) signing { s.at = clock.Add(16 * time.Minute); return s },
			code: "InvalidSignatureException", status: 403, reason: "Signature not yet current",
		},
		"body differs from signed hash": {
			s:    func(s signing) signing { s.hash = hashOf([]byte("other payload")); return s },
			code: "InvalidSignatureException", status: 403, reason: "does not match the signature you provided",
		},
		"content hash header differs from body": {
			s:    func(s signing) signing { s.sendHash = true; s.hash = hashOf([]byte("other payload")); return s },
			code: "InvalidSignatureException", status: 403, reason: "'x-amz-content-sha256' header does not match",
		},
		"unsigned payload": {
			s:    func(s signing) signing { s.sendHash = true; s.hash = "UNSIGNED-PAYLOAD"; return s },
			code: "InvalidSignatureException", status: 403, reason: "UNSIGNED-PAYLOAD",
		},
		"signed header changed after signing": {
			tamper: func(r *http.Request) { r.Header.Set("Content-Type", "application/json") },
			code:   "InvalidSignatureException", status: 403, reason: "does not match the signature you provided",
		},
		"x-amz-date changed after signing": {
			tamper: func(r *http.Request) { r.Header.Set("X-Amz-Date", clock.Add(time.Second).Format(amzDateLayout)) },
			code:   "InvalidSignatureException", status: 403, reason: "does not match the signature you provided",
		},
		"x-amz-date not signed": {
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";x-amz-date", "", 1))
			},
			code: "InvalidSignatureException", status: 403, reason: "'X-Amz-Date' must be a signed header",
		},
		"host not signed": {
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;", "", 1))
			},
			code: "InvalidSignatureException", status: 403, reason: "'Host' must be a signed header",
		},
		"scope date differs from x-amz-date": {
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20260314/", "/20260313/", 1))
			},
			code: "InvalidSignatureException", status: 403, reason: "Date in Credential scope does not match",
		},
		"signed header removed": {
			tamper: func(r *http.Request) { r.Header.Del("Content-Type") },
			code:   "InvalidSignatureException", status: 403, reason: "signed header 'content-type' is not present",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := defaultSigning()
			if c.s != nil {
				s = c.s(s)
			}
			_, err := send(t, "/v1/traces", body, otlpHeader(), s, c.tamper)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want a refusal, got %v", err)
			}
			if e.Code != c.code || e.Status != c.status || !strings.Contains(e.Reason, c.reason) {
				t.Fatalf("got %d %s %q; want %d %s containing %q", e.Status, e.Code, e.Reason, c.status, c.code, c.reason)
			}
			if strings.Contains(e.Error(), secret) {
				t.Fatalf("the error repeats the secret: %v", e)
			}
		})
	}
}

func TestVerifyWithoutCredentialLookupRefuses(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://standin/v1/traces", nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), goodCreds, r, hashOf(nil), "xray", "eu-west-1", clock); err != nil {
		t.Fatal(err)
	}
	o := opts
	o.Credentials = nil
	var e *Error
	if err := Verify(r, nil, o); !errors.As(err, &e) || e.Code != "UnrecognizedClientException" {
		t.Fatalf("got %v", err)
	}
	if err := Verify(r, nil, opts); err != nil {
		t.Fatalf("an empty body signed by the SDK must verify: %v", err)
	}
}
