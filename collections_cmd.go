package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minicloud/minicloud/collections"
)

// collectionsCommand manages document collections from the command line: create, list,
// permission presets and indexes.
func (m *minicloud) collectionsCommand() *cobra.Command {
	ready := func() error { return m.app.RunAllMigrations() }
	cmd := &cobra.Command{Use: "collections", Short: "Manage document collections (create, list, preset, index)"}

	create := &cobra.Command{
		Use: "create NAME", Short: "Create a document collection", Args: cobra.ExactArgs(1),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			if err := m.store.CreateCollection(context.Background(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "created %s\n", args[0])
			return nil
		}),
	}
	list := &cobra.Command{
		Use: "list", Short: "List document collections with their preset, indexes and size",
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			infos, err := m.store.ListCollections(context.Background())
			if err != nil {
				return err
			}
			enc := json.NewEncoder(c.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(infos)
		}),
	}
	preset := &cobra.Command{
		Use:   "preset NAME READONLY|PRIVATE|ADMINWRITE|ADMINONLY",
		Short: "Set a collection's permission preset",
		Long: "READONLY: everyone reads, the creator writes. PRIVATE (default): only the creator reads and writes.\n" +
			"ADMINWRITE: everyone reads, only admins write. ADMINONLY: only admins read and write.",
		Args: cobra.ExactArgs(2),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			if err := m.store.SetPreset(context.Background(), args[0], collections.Preset(strings.ToUpper(args[1]))); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "%s: %s\n", args[0], strings.ToUpper(args[1]))
			return nil
		}),
	}
	var unique bool
	index := &cobra.Command{
		Use:   "index NAME INDEX_NAME FIELD[:desc][,FIELD[:desc]...]",
		Short: "Create an index on document fields, e.g. `index todos by_cat_n category,n:desc`",
		Args:  cobra.ExactArgs(3),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			spec := collections.IndexInfo{Name: args[1], Unique: unique}
			for _, f := range strings.Split(args[2], ",") {
				path, dir, _ := strings.Cut(strings.TrimSpace(f), ":")
				switch strings.ToLower(dir) {
				case "", "asc", "desc":
				default:
					return fmt.Errorf("field %q: direction must be asc or desc", f)
				}
				spec.Fields = append(spec.Fields, collections.IndexField{Path: path, Desc: strings.EqualFold(dir, "desc")})
			}
			if err := m.store.CreateIndex(context.Background(), args[0], spec); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "created index %s on %s\n", args[1], args[0])
			return nil
		}),
	}
	index.Flags().BoolVar(&unique, "unique", false, "reject documents that repeat the key")
	dropIndex := &cobra.Command{
		Use: "drop-index NAME INDEX_NAME", Short: "Drop an index", Args: cobra.ExactArgs(2),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			return m.store.DropIndex(context.Background(), args[0], args[1])
		}),
	}
	rulesCmd := &cobra.Command{
		Use:   "rules NAME [FILE|-|clear]",
		Short: "Show a collection's security rules, or set them from a JSON file (- for stdin; clear returns to the preset)",
		Long: "Rules are CloudBase's JSON: {\"read\": <rule>, \"write\": <rule>} or with write split into create, update\n" +
			"and delete. A rule is true, false or an expression over auth.openid, auth.uid, doc.<field>, now and\n" +
			"get('database.<collection>.<id>'), e.g. \"doc._openid == auth.openid\". A bad rule is refused with its position.",
		Args: cobra.RangeArgs(1, 2),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			if len(args) == 1 {
				raw, err := m.store.Rules(args[0])
				if err != nil {
					return err
				}
				fmt.Fprintln(c.OutOrStdout(), string(raw))
				return nil
			}
			var raw []byte
			var err error
			switch args[1] {
			case "clear":
			case "-":
				raw, err = io.ReadAll(c.InOrStdin())
			default:
				raw, err = os.ReadFile(args[1])
			}
			if err != nil {
				return err
			}
			if err := m.store.SetRules(context.Background(), args[0], bytes.TrimSpace(raw)); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "rules of %s saved\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(create, list, preset, index, dropIndex, rulesCmd)
	return cmd
}
