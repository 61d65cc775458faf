package record

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// StartHTTP serves handler on addr in the background; a serve error other than a shutdown ends
// the process, as a stand-in that cannot listen is of no use.
func StartHTTP(addr string, handler http.Handler) *http.Server {
	h := &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := h.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("http serve: %v", err)
		}
	}()
	return h
}

// UntilSignal blocks until SIGINT or SIGTERM, then gives stop five seconds to shut down.
func UntilSignal(stop func(ctx context.Context)) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stop(ctx)
}
