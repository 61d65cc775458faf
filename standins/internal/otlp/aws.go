package otlp

import (
	"errors"
	"fmt"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/cruddur/standins/internal/record"
	"github.com/cruddur/standins/internal/sigv4"
)

const (
	logGroupHeader  = "x-aws-log-group"
	logStreamHeader = "x-aws-log-stream"
)

// awsService is the SigV4 signing name of each endpoint: xray.<region>.amazonaws.com/v1/traces
// and logs.<region>.amazonaws.com/v1/logs. A request signed for the other one is refused.
var awsService = map[Signal]string{SignalTraces: "xray", SignalLogs: "logs"}

// awsLimits are AWS's documented per-request bounds of the OTLP endpoints (CloudWatch user guide,
// "OTLP Endpoints", endpoint limits): traces 5 MB uncompressed and 10,000 spans; logs 1 MB
// uncompressed and 10,000 log events (the logs row as far as we could read it; docs/aws-otlp.md).
var awsLimits = map[Signal]Limits{
	SignalTraces: {MaxBytes: 5 << 20, MaxItems: 10000},
	SignalLogs:   {MaxBytes: 1 << 20, MaxItems: 10000},
}

// AWS plays the X-Ray and CloudWatch Logs OTLP endpoints: SigV4 with the endpoint's service name
// and the stand-in's region, the log group and stream headers on logs, AWS's limits, HTTP only.
type AWS struct {
	region string
	keyID  string
	secret string
}

// NewAWS needs the one key pair and the region the stand-in accepts; there is no default key.
func NewAWS(region, keyID, secret string) (*AWS, error) {
	if keyID == "" || secret == "" {
		return nil, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set: the stand-in only accepts that key pair")
	}
	if region == "" {
		return nil, errors.New("AWS_REGION must be set: the stand-in plays that region's endpoints")
	}
	return &AWS{region: region, keyID: keyID, secret: secret}, nil
}

// awsRefusal is an AWS JSON error: {"__type": code, "message": ...}.
func awsRefusal(status int, code, message string) *Refusal {
	return &Refusal{HTTPStatus: status, GRPCCode: codes.InvalidArgument, Code: code, Message: message,
		Body: map[string]string{"__type": code, "message": message}}
}

// CheckHTTP verifies the signature over the body as sent, then the log group and stream.
func (a *AWS) CheckHTTP(r *http.Request, body []byte, signal Signal) (Accepted, *Refusal) {
	sig, err := sigv4.Inspect(r, body, sigv4.Options{
		Service: awsService[signal],
		Region:  a.region,
		Credentials: func(id string) (string, bool) {
			if record.SecretEqual(id, a.keyID) {
				return a.secret, true
			}
			return "", false
		},
	})
	if err != nil {
		var e *sigv4.Error
		if errors.As(err, &e) {
			return Accepted{}, awsRefusal(e.Status, e.Code, e.Reason)
		}
		return Accepted{}, awsRefusal(http.StatusBadRequest, "ValidationException", err.Error())
	}
	route := Route{}
	if signal == SignalLogs {
		route.LogGroup = r.Header.Get(logGroupHeader)
		route.LogStream = r.Header.Get(logStreamHeader)
		for _, h := range [][2]string{{logGroupHeader, route.LogGroup}, {logStreamHeader, route.LogStream}} {
			if h[1] == "" {
				return Accepted{}, awsRefusal(http.StatusBadRequest, "ValidationException", "the "+h[0]+" header is required: CloudWatch Logs needs the log group and stream to write to")
			}
		}
	}
	return Accepted{Route: route, Auth: sig}, nil
}

// CheckGRPC refuses: the AWS OTLP endpoints are HTTP only.
func (a *AWS) CheckGRPC(metadata.MD, Signal) (Accepted, *Refusal) {
	return Accepted{}, &Refusal{GRPCCode: codes.Unimplemented, Message: "the AWS OTLP endpoints accept OTLP/HTTP only, not gRPC"}
}

// Limits are AWS's, per signal.
func (a *AWS) Limits(signal Signal) Limits { return awsLimits[signal] }

// TooLarge is AWS's refusal of an oversized payload.
func (a *AWS) TooLarge(signal Signal, size, limit int) *Refusal {
	return awsRefusal(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
		fmt.Sprintf("the %s payload is %d bytes uncompressed; the endpoint accepts at most %d", signal, size, limit))
}

// TooMany is AWS's refusal of a request with too many spans or log events.
func (a *AWS) TooMany(signal Signal, items, limit int) *Refusal {
	return awsRefusal(http.StatusBadRequest, "ValidationException",
		fmt.Sprintf("the request holds %d %s items; the endpoint accepts at most %d per request", items, signal, limit))
}
