package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minicloud/minicloud/apis"
	"github.com/minicloud/minicloud/cloudfns"
)

// functionsLogsCommand is `minicloud functions logs [NAME]`: the invocation log, newest
// first, read from the data directory (a running server writes it within 200 ms).
func (m *minicloud) functionsLogsCommand(ready func() error) *cobra.Command {
	var since, until, outcome, requestID string
	var limit int
	var asJSON, noConsole bool
	cmd := &cobra.Command{
		Use:   "logs [NAME]",
		Short: "Show cloud function invocations: outcome, duration, error and console output",
		Long: "Invocations newest first, all functions or NAME's. --since and --until take a time\n" +
			"(2024-05-01T10:00:00Z, \"2024-05-01 10:00:00\" in UTC, 2024-05-01, Unix milliseconds) or a\n" +
			"duration back from now (30m, 2h). --outcome is success, error, timeout or limit.",
		Args: cobra.MaximumNArgs(1),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			now := time.Now()
			q := cloudfns.LogQuery{RequestID: requestID, Limit: limit, NoLogs: noConsole}
			if len(args) == 1 {
				q.Function = args[0]
			}
			var err error
			if q.Since, err = cliTime(since, now); err != nil {
				return fmt.Errorf("--since: %w", err)
			}
			if q.Until, err = cliTime(until, now); err != nil {
				return fmt.Errorf("--until: %w", err)
			}
			if q.Outcome, err = apis.ParseOutcome(outcome); err != nil {
				_, msg := apis.ErrorCode(err)
				return fmt.Errorf("--outcome: %s", msg)
			}
			if limit < 1 || limit > apis.MaxLogQueryLimit {
				return fmt.Errorf("--limit must be between 1 and %d", apis.MaxLogQueryLimit)
			}
			entries, err := cloudfns.QueryLogs(context.Background(), m.app, q)
			if err != nil {
				return err
			}
			if asJSON {
				if entries == nil {
					entries = []cloudfns.LogEntry{}
				}
				return fnWriteJSON(c.OutOrStdout(), entries)
			}
			if len(entries) == 0 {
				fmt.Fprintln(c.OutOrStdout(), "no invocations")
				return nil
			}
			for _, e := range entries {
				writeLogEntry(c.OutOrStdout(), e)
			}
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&since, "since", "", "only invocations that started at or after this time (or this long ago: 1h)")
	f.StringVar(&until, "until", "", "only invocations that started before this time (or this long ago)")
	f.StringVar(&outcome, "outcome", "", "only this outcome: success, error, timeout or limit")
	f.StringVar(&requestID, "request-id", "", "only the invocation with this request id")
	f.IntVar(&limit, "limit", 50, fmt.Sprintf("most invocations shown (at most %d)", apis.MaxLogQueryLimit))
	f.BoolVar(&asJSON, "json", false, "print JSON")
	f.BoolVar(&noConsole, "no-console", false, "leave console output out")
	return cmd
}

// cliTime reads a time flag: empty, a duration back from now, or a time.
func cliTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			d = -d
		}
		return now.Add(-d), nil
	}
	return apis.ParseTime(s)
}

// writeLogEntry prints one invocation: a summary line, then its error and console
// output indented.
func writeLogEntry(out io.Writer, e cloudfns.LogEntry) {
	fmt.Fprintf(out, "%s  %s v%d  %s  %s  request %s", e.Start.UTC().Format("2006-01-02 15:04:05.000Z"),
		e.Function, e.Version, e.Outcome, fmtMillis(e.Duration), e.RequestID)
	if e.Source != "" {
		fmt.Fprintf(out, "  source %s", e.Source)
	}
	if e.OpenID != "" {
		fmt.Fprintf(out, "  openid %s", e.OpenID)
	}
	fmt.Fprintln(out)
	if e.ErrorCode != "" || e.ErrorMessage != "" {
		text := e.ErrorMessage
		if e.ErrorStack != "" && !strings.Contains(e.ErrorStack, e.ErrorMessage) {
			text += "\n" + e.ErrorStack
		} else if e.ErrorStack != "" {
			text = e.ErrorStack
		}
		writeIndented(out, "error "+e.ErrorCode, text)
	}
	for _, l := range e.Logs {
		writeIndented(out, l.Level, l.Text)
	}
}

func writeIndented(out io.Writer, label, text string) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	pad := strings.Repeat(" ", len(label))
	for i, l := range lines {
		if i == 0 {
			fmt.Fprintf(out, "    %s  %s\n", label, l)
			continue
		}
		fmt.Fprintf(out, "    %s  %s\n", pad, l)
	}
}

// fmtMillis prints a duration in milliseconds with about three significant digits
// (a warm trivial call takes tens of microseconds: "0.04 ms", not "0.0 ms").
func fmtMillis(d time.Duration) string {
	ms := float64(d.Microseconds()) / 1000
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	case ms >= 1:
		return fmt.Sprintf("%.2f ms", ms)
	}
	return fmt.Sprintf("%.3f ms", ms)
}

// functionsRulesCommand is `minicloud functions rules get|set`: the environment's
// function security rules (who may invoke which function from the client SDKs).
func (m *minicloud) functionsRulesCommand(ready func() error) *cobra.Command {
	return ruleDocCommand(m, ready, ruleDocTexts{
		short: "Show or set the function security rules (invoke permissions of client SDKs)",
		long: "CloudBase's rule document: {\"*\":{\"invoke\":\"auth != null\"}, \"<function>\":{\"invoke\": true|false|\"<expr>\"}}.\n" +
			"Without one, signed-in callers (anonymous sign-in included) may invoke every function.\n" +
			"Admin callers, cloud.callFunction, timers and HTTP access are not subject to the rules.\n" +
			"A running server applies a change within a second.",
		getShort: "Print the rules in force (the default when none are set)",
		setShort: "Validate and save the rules from a file, stdin (-) or a JSON argument; {} restores the default",
		saved:    "function rules saved:",
	}, func() *cloudfns.RuleStore { return cloudfns.NewRuleStore(m.app) }, writeRules)
}

func writeRules(out io.Writer, rs *cloudfns.InvokeRules) error {
	var v any
	if err := json.Unmarshal(rs.JSON(), &v); err != nil {
		return err
	}
	return fnWriteJSON(out, v)
}
