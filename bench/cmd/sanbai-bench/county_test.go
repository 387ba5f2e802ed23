package main

import "testing"

// parseBench reads the metrics of go test -bench's result line, whatever their order.
func TestParseBench(t *testing.T) {
	out := []byte("goos: linux\npkg: sanbai/tui\nBenchmarkCountyMeeting-2   \t       1\t36635430615 ns/op\t       211.5 MB-idle\t         5.887 MB/session\t       123.8 ms-cpu/change\nPASS\n")
	m, err := parseBench(out, "BenchmarkCountyMeeting")
	if err != nil {
		t.Fatal(err)
	}
	for unit, want := range map[string]float64{"ns/op": 36635430615, "MB-idle": 211.5, "MB/session": 5.887, "ms-cpu/change": 123.8} {
		if m[unit] != want {
			t.Errorf("%s = %v, want %v", unit, m[unit], want)
		}
	}
	if _, err := parseBench([]byte("FAIL\n"), "BenchmarkCountyMeeting"); err == nil {
		t.Error("no result line: want an error")
	}
}
