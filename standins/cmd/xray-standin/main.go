// Command xray-standin answers AWS X-Ray's control plane (sampling rules, sampling targets,
// statistics, groups) like xray.<region>.amazonaws.com, SigV4-checked, and reports what it holds.
//
//	AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=us-east-1 xray-standin [-addr 127.0.0.1:5100]
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"time"

	"github.com/cruddur/standins/internal/record"
	"github.com/cruddur/standins/internal/xray"
)

func main() {
	addr := flag.String("addr", record.EnvOr("XRAY_STANDIN_ADDR", "127.0.0.1:5100"), "listen address")
	interval := flag.Duration("interval", 10*time.Second, "how often clients are told to ask for sampling targets (X-Ray: 10s)")
	ttl := flag.Duration("quota-ttl", 15*time.Second, "how long a granted reservoir quota holds")
	account := flag.String("account", record.EnvOr("XRAY_STANDIN_ACCOUNT", "000000000000"), "account id in the ARNs")
	limit := flag.Int("limit", 100000, "most calls kept for the report")
	state := flag.String("state", record.EnvOr("XRAY_STANDIN_STATE", ""), "file keeping the rules and groups across restarts (none: in memory only)")
	flag.Parse()

	srv, err := xray.New(xray.Options{
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		Region:          os.Getenv("AWS_REGION"),
		Account:         *account,
		Interval:        *interval,
		QuotaTTL:        *ttl,
		Limit:           *limit,
		StateFile:       *state,
	})
	if err != nil {
		log.Fatal(err)
	}
	h := record.StartHTTP(*addr, srv.Handler())
	log.Printf("xray-standin: X-Ray control plane at http://%s (targets every %s, quota TTL %s), report at http://%s/standin/received", *addr, *interval, *ttl, *addr)

	record.UntilSignal(func(ctx context.Context) { _ = h.Shutdown(ctx) })
}
