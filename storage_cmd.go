package main

import (
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
	return ruleDocCommand(m, ready, ruleDocTexts{
		short: "Show or set the custom storage security rules (file access of client SDKs)",
		long: "CloudBase's rule document: {\"read\": <rule>, \"write\": <rule>}, where a rule is true, false or an\n" +
			"expression over auth (null when not signed in; auth.openid, auth.uid), resource.openid (the file's\n" +
			"owner; on an upload of a new file, the uploader), resource.path (its cloud path), now and literals,\n" +
			"with == != < <= > >= in && || ! +. Example: {\"read\": true, \"write\": \"resource.openid == auth.openid\"}.\n" +
			"Custom rules replace --storage-preset; {} removes them. Admin callers and cloud functions are not\n" +
			"subject to the rules. A running server applies a change within a second.",
		getShort: "Print the custom rules, or the preset in force when none are set",
		setShort: "Validate and save the rules from a file, stdin (-) or a JSON argument; {} restores the preset",
		saved:    "storage rules saved:",
	}, func() *storage.RuleStore { return storage.NewRuleStore(m.app) }, m.writeStorageRules)
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
