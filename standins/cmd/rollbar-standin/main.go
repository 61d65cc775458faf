// Command rollbar-standin accepts Rollbar items like api.rollbar.com and reports what it received.
//
//	ROLLBAR_ACCESS_TOKEN=... rollbar-standin [-addr 127.0.0.1:18080]
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/cruddur/standins/internal/record"
	"github.com/cruddur/standins/internal/rollbar"
)

func main() {
	addr := flag.String("addr", record.EnvOr("ROLLBAR_STANDIN_ADDR", "127.0.0.1:18080"), "listen address")
	limit := flag.Int("limit", 100000, "most entries kept per kind")
	flag.Parse()

	srv, err := rollbar.New(os.Getenv("ROLLBAR_ACCESS_TOKEN"), *limit)
	if err != nil {
		log.Fatal(err)
	}
	h := record.StartHTTP(*addr, srv.Handler())
	log.Printf("rollbar-standin: POST http://%s/api/1/item/, report at http://%s/standin/received", *addr, *addr)

	record.UntilSignal(func(ctx context.Context) { _ = h.Shutdown(ctx) })
}
