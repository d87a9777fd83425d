//go:build race

package replicas

// raceEnabled says the tests run with the race detector: the binary they build for the
// chaos test is built with it too (and reuses the packages the test built).
const raceEnabled = true
