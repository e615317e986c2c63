package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minicloud/minicloud/collections/ruledoc"
	"github.com/spf13/cobra"
)

// maxRuleDocument bounds a rule document read from a file or stdin.
const maxRuleDocument = 1 << 20

// readRuleDocument reads the rule document a `rules set` command names: "-" is stdin,
// an argument that starts with "{" (or is "null") the JSON itself, anything else a file.
func readRuleDocument(stdin io.Reader, arg string) ([]byte, error) {
	var r io.Reader
	switch arg = strings.TrimSpace(arg); {
	case arg == "-":
		r = stdin
	case strings.HasPrefix(arg, "{") || arg == "null":
		return []byte(arg), nil
	default:
		f, err := os.Open(arg)
		if err != nil {
			return nil, fmt.Errorf("read the rules: %w", err)
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxRuleDocument+1))
	if err != nil {
		return nil, fmt.Errorf("read the rules: %w", err)
	}
	if len(raw) > maxRuleDocument {
		return nil, fmt.Errorf("read the rules: larger than %d bytes", maxRuleDocument)
	}
	return raw, nil
}

// ruleDocTexts are the help texts and the confirmation of a `rules` command.
type ruleDocTexts struct {
	short, long        string
	getShort, setShort string
	saved              string // printed before the saved document
}

// ruleDocCommand is a `rules get|set` command over one environment-wide rule document
// (function invoke rules, storage rules); write prints the document in force.
func ruleDocCommand[T any](m *minicloud, ready func() error, texts ruleDocTexts,
	store func() *ruledoc.Store[T], write func(io.Writer, T) error) *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: texts.short, Long: texts.long}
	get := &cobra.Command{
		Use: "get", Short: texts.getShort,
		Args: cobra.NoArgs,
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			doc, err := store().Load(context.Background())
			if err != nil {
				return err
			}
			return write(c.OutOrStdout(), doc)
		}),
	}
	set := &cobra.Command{
		Use:   "set FILE|-|JSON",
		Short: texts.setShort,
		Args:  cobra.ExactArgs(1),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			raw, err := readRuleDocument(c.InOrStdin(), args[0])
			if err != nil {
				return err
			}
			doc, err := store().Set(context.Background(), raw)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), texts.saved)
			return write(c.OutOrStdout(), doc)
		}),
	}
	for _, sub := range []*cobra.Command{get, set} {
		sub.SilenceUsage = true
		cmd.AddCommand(sub)
	}
	return cmd
}
