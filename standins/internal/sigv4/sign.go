package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Sign signs req, whose body is body, with the AWS SDK's own v4 signer, as an SDK client would:
// the counterpart of Verify, for the stand-ins' tests and tools that speak to them.
func Sign(req *http.Request, body []byte, creds aws.Credentials, service, region string, at time.Time) error {
	sum := sha256.Sum256(body)
	return v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at)
}

// Post sends body to url with header, signed for service and region with creds when creds has a
// secret (unsigned otherwise), and returns the answer's status, body and headers: how the
// stand-ins' tests speak to a server that Verify guards.
func Post(url string, body []byte, header map[string]string, creds aws.Credentials, service, region string) (int, []byte, http.Header, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if creds.SecretAccessKey != "" {
		if err := Sign(req, body, creds, service, region, time.Now()); err != nil {
			return 0, nil, nil, err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, answer, resp.Header, err
}
