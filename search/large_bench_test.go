//go:build large

// The benchmarks on a generated catalogue of 100,000 services take about a minute to
// set up, so they are outside the default test run:
//
//	go test -tags large -run '^$' -bench Large ./search/
package search

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const largeServices = 100_000

func BenchmarkLargeQuery(b *testing.B) {
	cat := generateCatalogue(b, largeServices)
	x := largeIndex(b, cat)
	defer x.Close()
	b.ResetTimer()
	b.Run("exact", func(b *testing.B) { benchQueries(b, x, "it", benchExact) })
	b.Run("typos", func(b *testing.B) { benchQueries(b, x, "it", benchTypos) })
	b.Run("exact-miss", func(b *testing.B) { benchMisses(b, x, "it", benchExact) })
	b.Run("typos-miss", func(b *testing.B) { benchMisses(b, x, "it", benchTypos) })
}

// largeBuildChild is the environment variable that makes the test binary (init) build
// the large index and print its figures: the build runs in a process of its own, so
// that its peak resident memory is the build's and the generated catalogue's only.
const largeBuildChild = "WEMI_LARGE_BUILD_CHILD"

// buildFigures are what one build in a child process measured.
type buildFigures struct {
	Seconds      float64 // wall clock of Build
	CPUSeconds   float64 // user and system time of Build
	AllocBytes   uint64  // bytes allocated by Build
	CatalogueRSS uint64  // resident bytes before Build (the generated catalogue)
	PeakRSS      uint64  // the process's peak resident bytes (VmHWM)
}

// BenchmarkLargeBuild builds the index of 100,000 services in a child process per
// iteration and reports the build's wall and CPU time, allocated bytes and the
// child's peak resident memory (the catalogue's included, reported apart).
func BenchmarkLargeBuild(b *testing.B) {
	var sum buildFigures
	var peak uint64
	n := 0
	for b.Loop() {
		f := runBuildChild(b)
		sum.Seconds += f.Seconds
		sum.CPUSeconds += f.CPUSeconds
		sum.AllocBytes += f.AllocBytes
		sum.CatalogueRSS += f.CatalogueRSS
		peak = max(peak, f.PeakRSS)
		n++
	}
	const mb = 1 << 20
	b.ReportMetric(sum.Seconds/float64(n), "build-s")
	b.ReportMetric(sum.CPUSeconds/float64(n), "build-cpu-s")
	b.ReportMetric(float64(sum.AllocBytes)/float64(n)/mb, "alloc-MB")
	b.ReportMetric(float64(sum.CatalogueRSS)/float64(n)/mb, "catalogue-rss-MB")
	b.ReportMetric(float64(peak)/mb, "peak-rss-MB")
}

// runBuildChild runs the build child (init) in a new process and returns its figures.
func runBuildChild(b *testing.B) buildFigures {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), largeBuildChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("build child: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if _, line, ok := strings.Cut(sc.Text(), "build figures: "); ok {
			var f buildFigures
			if err := json.Unmarshal([]byte(line), &f); err != nil {
				b.Fatalf("build child figures %q: %v", line, err)
			}
			return f
		}
	}
	b.Fatalf("build child printed no figures:\n%s", out)
	return buildFigures{}
}

// init makes the test binary the build child of BenchmarkLargeBuild when its
// environment variable is set: it builds the large index, prints its figures and
// exits before any test or benchmark runs.
func init() {
	if os.Getenv(largeBuildChild) == "" {
		return
	}
	f, err := buildChild()
	if err != nil {
		fmt.Fprintln(os.Stderr, "build child:", err)
		os.Exit(1)
	}
	js, err := json.Marshal(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "build child:", err)
		os.Exit(1)
	}
	fmt.Printf("build figures: %s\n", js)
	os.Exit(0)
}

// Optional settings of the build child, for working on the build: the number of
// services (largeServices when unset), and files to write the build's CPU profile
// and, at its end, a heap profile to.
const (
	largeBuildServices = "WEMI_LARGE_BUILD_SERVICES"
	largeBuildCPU      = "WEMI_LARGE_BUILD_CPUPROFILE"
	largeBuildHeap     = "WEMI_LARGE_BUILD_MEMPROFILE"
)

// buildChild generates the large catalogue and measures its index build.
func buildChild() (buildFigures, error) {
	var f buildFigures
	n := largeServices
	if v := os.Getenv(largeBuildServices); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			return f, fmt.Errorf("%s: %w", largeBuildServices, err)
		}
	}
	cat, err := generate(n)
	if err != nil {
		return f, err
	}
	runtime.GC()
	debug.FreeOSMemory()
	if f.CatalogueRSS, err = procStatus("VmRSS"); err != nil {
		return f, err
	}
	dir, err := os.MkdirTemp("", "wemi-large-build")
	if err != nil {
		return f, err
	}
	defer os.RemoveAll(dir)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop, err := startCPUProfile(os.Getenv(largeBuildCPU))
	if err != nil {
		return f, err
	}
	cpu := cpuTime()
	start := time.Now()
	x, err := Build(context.Background(), cat, Options{Dir: dir})
	if err != nil {
		return f, err
	}
	f.Seconds = time.Since(start).Seconds()
	f.CPUSeconds = (cpuTime() - cpu).Seconds()
	stop()
	if err := writeHeapProfile(os.Getenv(largeBuildHeap)); err != nil {
		return f, err
	}
	runtime.ReadMemStats(&after)
	f.AllocBytes = after.TotalAlloc - before.TotalAlloc
	if f.PeakRSS, err = procStatus("VmHWM"); err != nil {
		return f, err
	}
	return f, x.Close()
}

// startCPUProfile profiles the CPU into the named file until stop; no name, no profile.
func startCPUProfile(name string) (stop func(), err error) {
	if name == "" {
		return func() {}, nil
	}
	out, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		out.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		out.Close()
	}, nil
}

// writeHeapProfile writes the heap's allocations so far into the named file; no name,
// no profile.
func writeHeapProfile(name string) error {
	if name == "" {
		return nil
	}
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	defer out.Close()
	return pprof.Lookup("allocs").WriteTo(out, 0)
}

// cpuTime returns the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // RUSAGE_SELF with a valid pointer never fails
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus returns a memory figure of /proc/self/status, in bytes.
func procStatus(key string) (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", key, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", key)
}
