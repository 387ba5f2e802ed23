//go:build race

package e2e

// raceEnabled says the test binary has the race detector, so binaries it builds should too.
const raceEnabled = true
