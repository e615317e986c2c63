package cloudfns

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkLogStoreWrite measures the writer's cost per entry: batches of
// logBatchSize entries like the gateway's (a trivial call, no console output) into a
// log that already holds 100,000 entries.
func BenchmarkLogStoreWrite(b *testing.B) {
	s, _ := newLogsTestStore(b, 0)
	batch := make([]LogEntry, logBatchSize)
	fill := func() {
		for i := range batch {
			batch[i] = LogEntry{RequestID: newRequestID(), Function: "bench_trivial", Version: 1, Source: "wx_client",
				OpenID: "anon-0123456789", Start: time.Now(), Duration: 300 * time.Microsecond, Outcome: OutcomeSuccess,
				EventBytes: 55, ResultBytes: 106}
		}
	}
	for i := 0; i < 100_000/logBatchSize; i++ {
		fill()
		if err := s.writeBatch(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i += logBatchSize {
		b.StopTimer()
		fill()
		b.StartTimer()
		if err := s.writeBatch(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU returns the CPU time (user + system) this process has used: a cost
// figure that other load on the machine disturbs far less than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
