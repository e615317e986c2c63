// Command pocketbase is an unmodified PocketBase v0.36 server: the baseline the storage
// benchmark (go run ./bench/storage) compares Minicloud against. It registers no hooks,
// routes or migrations of its own.
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
)

func main() {
	app := pocketbase.NewWithConfig(pocketbase.Config{HideStartBanner: true})
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
