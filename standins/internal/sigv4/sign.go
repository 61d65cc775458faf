package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
