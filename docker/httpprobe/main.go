// Command httpprobe is a container health check for images with no shell or curl (FROM
// scratch): it GETs a URL and exits 0 on a 2xx answer, 1 otherwise.
//
//	HEALTHCHECK CMD ["/httpprobe", "http://127.0.0.1:13133/"]
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: httpprobe URL")
		os.Exit(2)
	}
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		fmt.Fprintf(os.Stderr, "%s answered %d\n", os.Args[1], resp.StatusCode)
		os.Exit(1)
	}
}
