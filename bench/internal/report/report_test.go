package report

import (
	"strings"
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	cases := []struct{ got, want string }{
		{Micros(1500 * time.Microsecond), "1500µs"},
		{Micros(0), "n/a"},
		{Dur(150 * time.Millisecond), "150ms"},
		{Dur(12340 * time.Microsecond), "12.3ms"},
		{Dur(1234 * time.Microsecond), "1.23ms"},
		{Int(1234567.4), "1,234,567"},
		{Int(999), "999"},
		{Int(-1234), "-1,234"},
		{Ratio(3, 2), "1.50×"},
		{Ratio(1, 0), "n/a"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestTable(t *testing.T) {
	var b strings.Builder
	Table(&b, []string{"name", "req/s"}, [][]string{{"minicloud", "1,234"}, {"pb", "9"}}, []bool{false, true})
	want := "" +
		"| name      | req/s |\n" +
		"| --------- | ----: |\n" +
		"| minicloud | 1,234 |\n" +
		"| pb        |     9 |\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
