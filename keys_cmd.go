package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

// keysCommand manages the API keys the admin dialect (node-sdk, wx-server-sdk) signs with.
func (m *minicloud) keysCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage API keys for the admin SDKs (node-sdk, wx-server-sdk)",
	}
	var name string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a key pair and print it once as JSON {secretId, secretKey, accessKey}",
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := m.app.RunAllMigrations(); err != nil {
				return err
			}
			k, err := m.keys.Create(name)
			if err != nil {
				return err
			}
			return json.NewEncoder(c.OutOrStdout()).Encode(k)
		}),
	}
	create.Flags().StringVar(&name, "name", "", "a name to recognise the key by (required)")
	_ = create.MarkFlagRequired("name")

	list := &cobra.Command{
		Use:   "list",
		Short: "List keys (secrets are never shown again)",
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := m.app.RunAllMigrations(); err != nil {
				return err
			}
			keys, err := m.keys.List()
			if err != nil {
				return err
			}
			enc := json.NewEncoder(c.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(keys)
		}),
	}
	revoke := &cobra.Command{
		Use:   "revoke SECRET_ID",
		Short: "Revoke a key: requests signed with it fail at once",
		Args:  cobra.ExactArgs(1),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := m.app.RunAllMigrations(); err != nil {
				return err
			}
			if err := m.keys.Revoke(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "revoked %s\n", args[0])
			return nil
		}),
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
