package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/minicloud/minicloud/cloudfns"
)

// functionsCommand manages cloud functions: deploy folders, list, show, delete and roll
// back. A running server picks every change up without restart (within a second).
func (m *minicloud) functionsCommand() *cobra.Command {
	ready := func() error { return m.app.RunAllMigrations() }
	cmd := &cobra.Command{Use: "functions", Short: "Manage cloud functions (deploy, list, show, delete, rollback, logs, rules)"}

	var name string
	deploy := &cobra.Command{
		Use:   "deploy PATH",
		Short: "Deploy one function folder, or every function in a cloudfunctions/ folder",
		Long: "PATH is one function folder (index.js or package.json, optional config.json and node_modules/),\n" +
			"named after the folder unless --name is given, or a folder of such folders (a CloudBase project's\n" +
			"cloudfunctions/), each deployed as the function its sub-folder names. A function whose code is\n" +
			"unchanged keeps its active version; an invalid one is reported with file:line and not deployed.",
		Args: cobra.ExactArgs(1),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			return m.deployFunctions(c.OutOrStdout(), c.ErrOrStderr(), args[0], name)
		}),
	}
	deploy.Flags().StringVar(&name, "name", "", "the function's name when PATH is one function (default: the folder's name)")

	var listJSON bool
	list := &cobra.Command{
		Use: "list", Short: "List functions with their active version",
		Args: cobra.NoArgs,
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			infos, err := m.functions.List(context.Background())
			if err != nil {
				return err
			}
			if listJSON {
				return fnWriteJSON(c.OutOrStdout(), infos)
			}
			if len(infos) == 0 {
				fmt.Fprintln(c.OutOrStdout(), "no functions deployed")
				return nil
			}
			tw := tabwriter.NewWriter(c.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tACTIVE\tVERSIONS\tUPDATED")
			for _, f := range infos {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", f.Name, f.ActiveVersion, f.Versions, fnStamp(f.Updated))
			}
			return tw.Flush()
		}),
	}
	list.Flags().BoolVar(&listJSON, "json", false, "print JSON")

	var showJSON bool
	show := &cobra.Command{
		Use: "show NAME", Short: "Show a function: config, active version, versions and files",
		Args: cobra.ExactArgs(1),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			versions, err := m.functions.Versions(context.Background(), args[0])
			if err != nil {
				return err
			}
			if showJSON {
				return fnWriteJSON(c.OutOrStdout(), versions)
			}
			return fnShow(c.OutOrStdout(), args[0], versions)
		}),
	}
	show.Flags().BoolVar(&showJSON, "json", false, "print every version as JSON")

	del := &cobra.Command{
		Use: "delete NAME", Short: "Delete a function and all its versions",
		Args: cobra.ExactArgs(1),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			if err := m.functions.Delete(context.Background(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "deleted %s\n", args[0])
			return nil
		}),
	}

	rollback := &cobra.Command{
		Use: "rollback NAME VERSION", Short: "Make an earlier version of a function the active one",
		Args: cobra.ExactArgs(2),
		RunE: m.failing(func(c *cobra.Command, args []string) error {
			if err := ready(); err != nil {
				return err
			}
			v, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(args[1]), "v"))
			if err != nil || v < 1 {
				return fmt.Errorf("VERSION must be a version number, not %q", args[1])
			}
			if err := m.functions.Rollback(context.Background(), args[0], v); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "%s: version %d is active\n", args[0], v)
			return nil
		}),
	}
	for _, sub := range []*cobra.Command{deploy, list, show, del, rollback, m.functionsLogsCommand(ready), m.functionsRulesCommand(ready)} {
		sub.SilenceUsage = true // a deploy error is long enough without the usage after it
		cmd.AddCommand(sub)
	}
	return cmd
}

// deployFunctions deploys PATH (one function, or a folder of functions), printing one
// line per function. Each function is loaded and validated before it is stored, so an
// invalid one deploys nothing; the others still deploy.
func (m *minicloud) deployFunctions(out, errOut io.Writer, root, name string) error {
	st, err := os.Stat(root)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a folder", root)
	}
	type target struct{ name, dir string }
	var targets []target
	subdirs := func() []target {
		var found []target
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			dir := filepath.Join(root, e.Name())
			if strings.HasPrefix(e.Name(), ".") || e.Name() == "node_modules" {
				continue
			}
			if st, err := os.Stat(dir); err != nil || !st.IsDir() || !cloudfns.IsFunctionDir(os.DirFS(dir)) {
				continue
			}
			found = append(found, target{e.Name(), dir})
		}
		return found
	}
	// One function: an index file, or a package.json with no function folders beside it
	// (a cloudfunctions/ folder may have a package.json of its own).
	single := hasIndex(root)
	if !single && cloudfns.IsFunctionDir(os.DirFS(root)) {
		single = len(subdirs()) == 0
	}
	if single {
		if name == "" {
			abs, err := filepath.Abs(root)
			if err != nil {
				return err
			}
			name = filepath.Base(abs)
		}
		targets = append(targets, target{name, root})
	} else {
		if name != "" {
			return fmt.Errorf("--name applies to one function folder; %s is a folder of functions", root)
		}
		targets = subdirs()
		if len(targets) == 0 {
			return fmt.Errorf("%s is neither a function folder (index.js or package.json) nor a folder of them", root)
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].name < targets[j].name })

	failed := 0
	for _, t := range targets {
		if err := m.deployOne(out, t.name, t.dir); err != nil {
			failed++
			var de *cloudfns.DeployError
			if errors.As(err, &de) && de.Function == "" {
				de.Function = t.name
			}
			if len(targets) == 1 {
				return err
			}
			fmt.Fprintf(errOut, "error: %v\n", err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d functions not deployed", failed, len(targets))
	}
	return nil
}

// hasIndex reports whether dir has an index file CloudBase (or the transform) runs.
func hasIndex(dir string) bool {
	for _, name := range []string{"index.js", "index.ts", "index.mjs", "index.mts", "index.cjs", "index.cts"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && !st.IsDir() {
			return true
		}
	}
	return false
}

func (m *minicloud) deployOne(out io.Writer, name, dir string) error {
	if err := cloudfns.ValidateFunctionName(name); err != nil {
		return fmt.Errorf("folder %s: %w", dir, err)
	}
	b, err := cloudfns.LoadBundle(dir)
	if err != nil {
		return err
	}
	v, changed, err := m.functions.DeployChanged(context.Background(), name, b)
	if err != nil {
		return err
	}
	if !changed {
		fmt.Fprintf(out, "%s: version %d, unchanged\n", name, v.Number)
		return nil
	}
	var size int
	for _, data := range b.Files {
		size += len(data)
	}
	fmt.Fprintf(out, "%s: version %d, %s, %s\n", name, v.Number, fnPlural(len(b.Files), "file"), fnHumanBytes(int64(size)))
	return nil
}

func fnShow(out io.Writer, name string, versions []cloudfns.VersionInfo) error {
	var active *cloudfns.VersionInfo
	for i := range versions {
		if versions[i].Active {
			active = &versions[i]
		}
	}
	fmt.Fprintf(out, "name: %s\n", name)
	if active == nil {
		fmt.Fprintln(out, "active version: none")
		return nil
	}
	fmt.Fprintf(out, "active version: %d\n", active.Number)
	cfg, err := json.MarshalIndent(active.Config, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "config: %s\n", cfg)
	fmt.Fprintf(out, "timeout: %s\n", active.Config.TimeoutDuration())

	fmt.Fprintln(out, "versions:")
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	for _, v := range versions {
		mark := ""
		if v.Active {
			mark = "active"
		}
		fmt.Fprintf(tw, "  %d\t%s\t%d files\t%s\t%s\t%s\n", v.Number, fnStamp(v.Created), len(v.Files), fnHumanBytes(v.Size), fnShortHash(v.SourceHash), mark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "files (version %d):\n", active.Number)
	tw = tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	for _, f := range active.Files {
		from := ""
		if f.Source != "" {
			from = "from " + f.Source
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Path, fnHumanBytes(int64(f.Size)), from)
	}
	return tw.Flush()
}

func fnStamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func fnShortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func fnHumanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func fnWriteJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func fnPlural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
