// Command minicloud is a self-hosted backend for WeChat mini-programs that speaks
// CloudBase's wire protocol: one binary, an embedded SQLite database, PocketBase's
// dashboard at /_/.
package main

import (
	"log"
	"os"

	"github.com/pocketbase/pocketbase"

	"github.com/minicloud/minicloud/internal/gctune"
	_ "github.com/minicloud/minicloud/migrations"
)

// dataMaxIdleConns is how many idle connections the read pool keeps.
const dataMaxIdleConns = 64

func main() {
	// Fewer GC cycles while the live heap is small (see internal/gctune); GOGC wins.
	gctune.StartDefault()
	// DefaultDev stays off even under `go run`: dev mode logs every SQL statement.
	// More idle connections than PocketBase's 15 keep warm SQLite connections (and their
	// page caches) for concurrent clients instead of reopening them under load.
	app := pocketbase.NewWithConfig(pocketbase.Config{DataMaxIdleConns: dataMaxIdleConns})
	mc := newMinicloud(app)
	mc.registerFlags()
	mc.bind()
	app.RootCmd.AddCommand(mc.keysCommand(), mc.collectionsCommand(), mc.functionsCommand(), mc.storageCommand())
	app.RootCmd.Use = "minicloud"
	app.RootCmd.Short = "Minicloud: a self-hosted CloudBase-compatible backend"
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
	if mc.commandFailed {
		os.Exit(1) // PocketBase's Execute swallows command errors; scripts need the status
	}
}
