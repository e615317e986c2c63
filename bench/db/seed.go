package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/collections"
	"github.com/minicloud/minicloud/collections/ejson"
)

// seedVersion changes whenever the generated data or schema changes, so that cached
// seeds from older versions are rebuilt.
const seedVersion = 2

const (
	superuserEmail    = "bench@example.com"
	superuserPassword = "bench-password-1234"
	seedBatch         = 1000
	// pbUsers is how many PocketBase users (in its default users collection) the seed
	// creates for -pb-auth: user i is pbUserEmail(i) with superuserPassword.
	pbUsers = 32
)

func pbUserEmail(i int) string { return fmt.Sprintf("user%d@bench.local", i) }

type seedMeta struct {
	Version int    `json:"version"`
	Engine  string `json:"engine"` // engineHash of the sources that wrote it
	Docs    int    `json:"docs"`
	Index   string `json:"index"`
	Created string `json:"created"`
	Seconds struct {
		Minicloud  float64 `json:"minicloud"`
		PocketBase float64 `json:"pocketbase"`
	} `json:"seconds"`
}

// indexSpec describes the (category, n) index both systems get.
func indexSpec(nDesc bool) string {
	if nDesc {
		return "category,n:desc"
	}
	return "category,n"
}

// ensureSeed returns the cached seed directory for the parameters, building it when
// missing (or when reseed). It holds mc/ (a Minicloud data dir) and pb/ (a plain
// PocketBase data dir) with identical documents.
func ensureSeed(outDir string, docs int, nDesc, reseed bool) (string, error) {
	dir := filepath.Join(outDir, fmt.Sprintf("seed-v%d-%d-%s", seedVersion, docs, map[bool]string{true: "ndesc", false: "nasc"}[nDesc]))
	metaPath := filepath.Join(dir, "seed.json")
	engine, err := engineHash()
	if err != nil {
		return "", err
	}
	if !reseed {
		if b, err := os.ReadFile(metaPath); err == nil {
			var m seedMeta
			switch {
			case json.Unmarshal(b, &m) != nil || m.Version != seedVersion || m.Docs != docs:
			case m.Engine != engine:
				logf("the storage engine's sources changed since %s was seeded: reseeding", rel(dir))
			default:
				logf("using cached seed %s (%d docs, created %s)", rel(dir), docs, m.Created)
				return dir, nil
			}
		}
	}
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", err
	}
	m := seedMeta{Version: seedVersion, Engine: engine, Docs: docs, Index: indexSpec(nDesc), Created: time.Now().Format(time.RFC3339)}
	t0 := time.Now()
	logf("seeding Minicloud with %d documents…", docs)
	if err := seedMinicloud(filepath.Join(tmp, "mc"), docs, nDesc); err != nil {
		return "", fmt.Errorf("seed minicloud: %w", err)
	}
	m.Seconds.Minicloud = time.Since(t0).Seconds()
	t0 = time.Now()
	logf("seeded Minicloud in %.1fs; seeding PocketBase…", m.Seconds.Minicloud)
	if err := seedPocketBase(filepath.Join(tmp, "pb"), docs, nDesc); err != nil {
		return "", fmt.Errorf("seed pocketbase: %w", err)
	}
	m.Seconds.PocketBase = time.Since(t0).Seconds()
	logf("seeded PocketBase in %.1fs", m.Seconds.PocketBase)
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, "seed.json"), b, 0o644); err != nil {
		return "", err
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, nil
}

// engineHash fingerprints the sources that decide what a seeded Minicloud data dir
// holds (document encoding, index keys, migrations), so that a cached seed written by
// an older engine is rebuilt rather than served by a newer binary.
func engineHash() (string, error) {
	h := sha256.New()
	for _, d := range []string{"collections", "migrations"} {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			r, _ := filepath.Rel(root, path)
			fmt.Fprintf(h, "%s %d\n", r, len(b))
			h.Write(b)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func openApp(dir string) (*core.BaseApp, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return nil, err
	}
	return app, nil
}

// closeApp checkpoints the WAL so the data dir is self-contained, and closes the app.
func closeApp(app *core.BaseApp) error {
	_, err1 := app.NonconcurrentDB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute()
	_, err2 := app.AuxNonconcurrentDB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute()
	err3 := app.ResetBootstrapState()
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			return err
		}
	}
	return nil
}

func createSuperuser(app core.App) error {
	col, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	rec := core.NewRecord(col)
	rec.SetEmail(superuserEmail)
	rec.SetPassword(superuserPassword)
	return app.Save(rec)
}

// seedMinicloud writes a Minicloud data dir: migrations, a superuser (so that serve
// skips the installer), the posts document collection filled through the engine's
// own Insert in batches, the (category, n) index and the READONLY preset.
func seedMinicloud(dir string, docs int, nDesc bool) error {
	app, err := openApp(dir)
	if err != nil {
		return err
	}
	if err := app.RunAllMigrations(); err != nil {
		return err
	}
	if err := createSuperuser(app); err != nil {
		return err
	}
	store, err := collections.New(app, collections.Config{})
	if err != nil {
		return err
	}
	ctx := context.Background()
	if err := store.CreateCollection(ctx, collName); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	batch := make([]ejson.D, 0, seedBatch)
	for i := 0; i < docs; i++ {
		p := newPost(r, i)
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		d, err := ejson.UnmarshalDoc(b)
		if err != nil {
			return err
		}
		batch = append(batch, append(d, ejson.E{Key: "_openid", Value: p.Owner}))
		if len(batch) == seedBatch || i == docs-1 {
			if _, err := store.Insert(ctx, collections.AdminCaller, collName, batch, collections.InsertOptions{}); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	idx := collections.IndexInfo{Name: "category_n", Fields: []collections.IndexField{{Path: "category"}, {Path: "n", Desc: nDesc}}}
	if err := store.CreateIndex(ctx, collName, idx); err != nil {
		return err
	}
	if err := store.SetPreset(ctx, collName, collections.PresetReadOnly); err != nil {
		return err
	}
	return closeApp(app)
}

// seedPocketBase writes a plain PocketBase data dir: system migrations only, a
// superuser, pbUsers users (for -pb-auth), and a typed base collection with public list/view/create rules, filled
// with raw SQL in one transaction, then indexed like Minicloud's collection: an
// equivalent (category, n) index plus an owner index (Minicloud indexes _openid).
func seedPocketBase(dir string, docs int, nDesc bool) error {
	app, err := openApp(dir)
	if err != nil {
		return err
	}
	if err := app.RunSystemMigrations(); err != nil {
		return err
	}
	if err := createSuperuser(app); err != nil {
		return err
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	for i := 0; i < pbUsers; i++ {
		u := core.NewRecord(users)
		u.SetEmail(pbUserEmail(i))
		u.SetPassword(superuserPassword)
		if err := app.Save(u); err != nil {
			return err
		}
	}
	col := core.NewBaseCollection(collName)
	col.ListRule, col.ViewRule, col.CreateRule = types.Pointer(""), types.Pointer(""), types.Pointer("")
	col.Fields.Add(
		&core.TextField{Name: "title", Max: 1000},
		&core.TextField{Name: "category", Max: 64},
		&core.NumberField{Name: "n", OnlyInt: true},
		&core.NumberField{Name: "score"},
		&core.BoolField{Name: "published"},
		&core.JSONField{Name: "tags"},
		&core.JSONField{Name: "author"},
		&core.TextField{Name: "body", Max: 5000},
		&core.TextField{Name: "owner", Max: 256},
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	if err := app.Save(col); err != nil {
		return err
	}
	db := app.NonconcurrentDB().(*dbx.DB).DB()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.Prepare("INSERT INTO `" + collName + "` (id, title, category, n, score, published, tags, author, body, owner, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	now := types.NowDateTime().String()
	for i := 0; i < docs; i++ {
		p := newPost(r, i)
		tags, _ := json.Marshal(p.Tags)
		au, _ := json.Marshal(p.Author)
		id := core.GenerateDefaultRandomId()
		if _, err := stmt.Exec(id, p.Title, p.Category, p.N, p.Score, p.Published, string(tags), string(au), p.Body, p.Owner, now, now); err != nil {
			return err
		}
	}
	_ = stmt.Close()
	if err := tx.Commit(); err != nil {
		return err
	}
	nCol := "`n`"
	if nDesc {
		nCol += " DESC"
	}
	col.AddIndex("idx_"+collName+"_category_n", false, "`category`, "+nCol, "")
	col.AddIndex("idx_"+collName+"_owner", false, "`owner`", "")
	if err := app.Save(col); err != nil {
		return err
	}
	return closeApp(app)
}

// setRequestLogs turns PocketBase's request log on (maxDays > 0) or off (0) in a data dir.
func setRequestLogs(dir string, maxDays int) error {
	app, err := openApp(dir)
	if err != nil {
		return err
	}
	s := app.Settings()
	s.Logs.MaxDays = maxDays
	if err := app.Save(s); err != nil {
		_ = app.ResetBootstrapState()
		return err
	}
	return closeApp(app)
}

// countDocs returns the number of rows in the posts table of a data dir.
func countDocs(dir string) (int, error) {
	app, err := openApp(dir)
	if err != nil {
		return 0, err
	}
	defer func() { _ = app.ResetBootstrapState() }()
	var n int
	err = app.DB().NewQuery("SELECT COUNT(*) FROM `" + collName + "`").Row(&n)
	return n, err
}

// copyDir copies a directory tree of regular files.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		relPath, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, relPath)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
