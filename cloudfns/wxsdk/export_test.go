package wxsdk

import "testing"

// BenchLoop lets the external test package's benchmarks report CPU time too.
func BenchLoop(b *testing.B, fn func()) { loop(b, fn) }
