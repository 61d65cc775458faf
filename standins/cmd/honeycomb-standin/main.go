// Command honeycomb-standin accepts OTLP like api.honeycomb.io and reports what it received.
//
//	HONEYCOMB_API_KEY=... honeycomb-standin [-grpc-addr 127.0.0.1:14317] [-http-addr 127.0.0.1:14318]
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"github.com/cruddur/standins/internal/honeycomb"
	"github.com/cruddur/standins/internal/record"
)

func main() {
	grpcAddr := flag.String("grpc-addr", record.EnvOr("HONEYCOMB_STANDIN_GRPC_ADDR", "127.0.0.1:14317"), "OTLP/gRPC listen address")
	httpAddr := flag.String("http-addr", record.EnvOr("HONEYCOMB_STANDIN_HTTP_ADDR", "127.0.0.1:14318"), "OTLP/HTTP and report listen address")
	limit := flag.Int("limit", 100000, "most entries kept per kind")
	flag.Parse()

	srv, err := honeycomb.New(os.Getenv("HONEYCOMB_API_KEY"), *limit)
	if err != nil {
		log.Fatal(err)
	}

	lis, err := net.Listen("tcp", *grpcAddr)
	if err != nil {
		log.Fatalf("grpc listen: %v", err)
	}
	g := grpc.NewServer()
	srv.RegisterGRPC(g)
	go func() {
		if err := g.Serve(lis); err != nil {
			log.Fatalf("grpc serve: %v", err)
		}
	}()

	h := &http.Server{Addr: *httpAddr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := h.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("http serve: %v", err)
		}
	}()
	log.Printf("honeycomb-standin: OTLP/gRPC on %s, OTLP/HTTP on http://%s/v1/{traces,logs}, report at http://%s/standin/received",
		lis.Addr(), *httpAddr, *httpAddr)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g.GracefulStop()
	_ = h.Shutdown(ctx)
}
