// Command otlp-standin accepts OTLP the way one vendor does and reports what it received. The
// vendor is its mode:
//
//	HONEYCOMB_API_KEY=... otlp-standin -mode honeycomb [-grpc-addr 127.0.0.1:14317] [-http-addr 127.0.0.1:14318]
//	AWS_REGION=... AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... otlp-standin -mode aws [-http-addr 127.0.0.1:14328]
//
// honeycomb: api.honeycomb.io (x-honeycomb-team; gRPC and HTTP). aws: the X-Ray and CloudWatch
// Logs OTLP endpoints (/v1/traces signed for xray, /v1/logs signed for logs; HTTP only).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"

	"google.golang.org/grpc"

	"github.com/cruddur/standins/internal/otlp"
	"github.com/cruddur/standins/internal/record"
)

// defaults are each mode's listen addresses; the environment variables keep the names the
// compose file and run.sh already use.
var defaults = map[string]struct{ grpcEnv, grpc, httpEnv, http string }{
	"honeycomb": {"HONEYCOMB_STANDIN_GRPC_ADDR", "127.0.0.1:14317", "HONEYCOMB_STANDIN_HTTP_ADDR", "127.0.0.1:14318"},
	"aws":       {"", "", "AWS_OTLP_STANDIN_HTTP_ADDR", "127.0.0.1:14328"},
}

func newMode(name string) (otlp.Mode, error) {
	switch name {
	case "honeycomb":
		return otlp.NewHoneycomb(os.Getenv("HONEYCOMB_API_KEY"))
	case "aws":
		return otlp.NewAWS(os.Getenv("AWS_REGION"), os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"))
	default:
		return nil, fmt.Errorf("-mode must be honeycomb or aws, not %q", name)
	}
}

func main() {
	modeName := flag.String("mode", os.Getenv("OTLP_STANDIN_MODE"), "the vendor to play: honeycomb or aws (env OTLP_STANDIN_MODE)")
	grpcFlag := flag.String("grpc-addr", "", "OTLP/gRPC listen address (honeycomb mode; default from the mode)")
	httpFlag := flag.String("http-addr", "", "OTLP/HTTP, report and /healthz listen address (default from the mode)")
	limit := flag.Int("limit", 100000, "most entries kept per kind")
	countOnly := flag.String("count-only", os.Getenv("OTLP_STANDIN_COUNT_ONLY"), "comma-separated service names whose spans are counted, not kept (env OTLP_STANDIN_COUNT_ONLY)")
	flag.Parse()

	mode, err := newMode(*modeName)
	if err != nil {
		log.Fatal(err)
	}
	d := defaults[*modeName]
	grpcAddr, httpAddr := *grpcFlag, *httpFlag
	if grpcAddr == "" && d.grpcEnv != "" {
		grpcAddr = record.EnvOr(d.grpcEnv, d.grpc)
	}
	if httpAddr == "" {
		httpAddr = record.EnvOr(d.httpEnv, d.http)
	}
	if grpcAddr != "" && d.grpcEnv == "" {
		log.Fatalf("-grpc-addr: the %s endpoints accept OTLP/HTTP only", *modeName)
	}
	srv := otlp.New(mode, *limit)
	srv.CountOnly = map[string]bool{}
	for _, name := range strings.Split(*countOnly, ",") {
		if name = strings.TrimSpace(name); name != "" {
			srv.CountOnly[name] = true
		}
	}

	var g *grpc.Server
	if grpcAddr != "" {
		lis, err := net.Listen("tcp", grpcAddr)
		if err != nil {
			log.Fatalf("grpc listen: %v", err)
		}
		g = grpc.NewServer()
		srv.RegisterGRPC(g)
		go func() {
			if err := g.Serve(lis); err != nil {
				log.Fatalf("grpc serve: %v", err)
			}
		}()
		log.Printf("otlp-standin (%s): OTLP/gRPC on %s", *modeName, lis.Addr())
	}

	h := record.StartHTTP(httpAddr, srv.Handler())
	log.Printf("otlp-standin (%s): OTLP/HTTP on http://%s/v1/{traces,logs}, report at http://%s/standin/received", *modeName, httpAddr, httpAddr)

	record.UntilSignal(func(ctx context.Context) {
		if g != nil {
			g.GracefulStop()
		}
		_ = h.Shutdown(ctx)
	})
}
