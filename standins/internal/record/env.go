package record

import (
	"crypto/subtle"
	"os"
)

// EnvOr returns the environment variable, or def when it is unset or empty.
func EnvOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// SecretEqual compares a presented credential with the expected one in constant time.
func SecretEqual(presented, expected string) bool {
	return subtle.ConstantTimeCompare([]byte(presented), []byte(expected)) == 1
}
