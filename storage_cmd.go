package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/minicloud/minicloud/storage"
)

// storageCommand is `minicloud storage`: managing cloud storage from the command line
// (its custom security rules). A running server picks a change up within a second.
func (m *minicloud) storageCommand() *cobra.Command {
	ready := func() error { return m.app.RunAllMigrations() }
	cmd := &cobra.Command{Use: "storage", Short: "Manage cloud storage (rules)"}
	cmd.AddCommand(m.storageRulesCommand(ready))
	return cmd
}

func (m *minicloud) storageRulesCommand(ready func() error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Show or set the custom storage security rules (file access of client SDKs)",
		Long: "CloudBase's rule document: {\"read\": <rule>, \"write\": <rule>}, where a rule is true, false or an\n" +
			"expression over auth (null when not signed in; auth.openid, auth.uid), resource.openid (the file's\n" +
			"owner; on an upload of a new file, the uploader), resource.path (its cloud path), now and literals,\n" +
			"with == != < <= > >= in && || ! +. Example: {\"read\": true, \"write\": \"resource.openid == auth.openid\"}.\n" +
			"Custom rules replace --storage-preset; {} removes them. Admin callers and cloud functions are not\n" +
			"subject to the rules. A running server applies a change within a second.",
	}
	get := &cobra.Command{
		Use: "get", Short: "Print the custom rules, or the preset in force when none are set",
		Args: cobra.NoArgs,
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			rs, err := storage.NewRuleStore(m.app).Load(context.Background())
			if err != nil {
				return err
			}
			return m.writeStorageRules(c.OutOrStdout(), rs)
		}),
	}
	set := &cobra.Command{
		Use:   "set FILE|-|JSON",
		Short: "Validate and save the rules from a file, stdin (-) or a JSON argument; {} restores the preset",
		Args:  cobra.ExactArgs(1),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			raw, err := readRuleDocument(c.InOrStdin(), args[0])
			if err != nil {
				return err
			}
			rs, err := storage.NewRuleStore(m.app).Set(context.Background(), raw)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), "storage rules saved:")
			return m.writeStorageRules(c.OutOrStdout(), rs)
		}),
	}
	for _, sub := range []*cobra.Command{get, set} {
		sub.SilenceUsage = true
		cmd.AddCommand(sub)
	}
	return cmd
}

// writeStorageRules prints the custom rules, or which preset applies without them.
func (m *minicloud) writeStorageRules(out io.Writer, rs *storage.Rules) error {
	if rs == nil {
		preset, err := storage.ParsePreset(m.storage.Preset)
		if err != nil {
			preset = storage.PresetReadOnly
		}
		_, err = fmt.Fprintf(out, "no custom rules: the preset %s applies (--storage-preset)\n", preset)
		return err
	}
	var v any
	if err := json.Unmarshal(rs.JSON(), &v); err != nil {
		return err
	}
	return fnWriteJSON(out, v)
}
