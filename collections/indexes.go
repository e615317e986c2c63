package collections

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"
)

// MaxIndexesPerCollection bounds the indexes of one collection (CloudBase: 100).
const MaxIndexesPerCollection = 100

// MaxIndexFields bounds the fields of one compound index (CloudBase: 31).
const MaxIndexFields = 31

// IndexField is one field of an index, ascending unless Desc.
type IndexField struct {
	Path string `json:"name"`
	Desc bool   `json:"desc,omitempty"`
}

// IndexInfo describes an index of a document collection.
type IndexInfo struct {
	Name   string       `json:"name"`
	Fields []IndexField `json:"fields"`
	Unique bool         `json:"unique"`
}

var (
	indexNamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
	// keyExprPattern recognises index columns on a document field, however the
	// dashboard spaced them: mc_key(data -> '$.a.b').
	keyExprPattern = regexp.MustCompile(`^mc_key\(\s*` + "[`\"\\[]?" + `data` + "[`\"\\]]?" + `\s*->\s*'\$\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)'\s*\)$`)
)

// indexedPaths lists the document paths that lead some index of the collection.
// Only a path that is the first column can serve a query alone, but later columns still
// help sorting after equality on the leading ones, so all key columns count.
func indexedPaths(pc *core.Collection) map[string]bool {
	out := map[string]bool{}
	for _, raw := range pc.Indexes {
		for _, f := range parseIndexFields(raw) {
			out[f.Path] = true
		}
	}
	return out
}

// descIndexedPaths lists the paths every index of the collection declares descending.
func descIndexedPaths(pc *core.Collection) map[string]bool {
	seen := map[string]bool{} // path -> all declarations so far DESC
	for _, raw := range pc.Indexes {
		for _, f := range parseIndexFields(raw) {
			if all, ok := seen[f.Path]; ok {
				seen[f.Path] = all && f.Desc
			} else {
				seen[f.Path] = f.Desc
			}
		}
	}
	out := map[string]bool{}
	for p, desc := range seen {
		if desc {
			out[p] = true
		}
	}
	return out
}

func parseIndexFields(raw string) []IndexField {
	idx := dbutils.ParseIndex(raw)
	var out []IndexField
	for _, col := range idx.Columns {
		name := strings.TrimSpace(col.Name)
		if m := keyExprPattern.FindStringSubmatch(name); m != nil {
			out = append(out, IndexField{Path: m[1], Desc: strings.EqualFold(col.Sort, "desc")})
			continue
		}
		switch strings.Trim(name, "`\"[]") {
		case fieldOpenID:
			out = append(out, IndexField{Path: "_openid", Desc: strings.EqualFold(col.Sort, "desc")})
		case fieldID:
			out = append(out, IndexField{Path: "_id", Desc: strings.EqualFold(col.Sort, "desc")})
		}
	}
	return out
}

func indexPrefix(coll string) string { return "idx_" + coll + "_" }

// ListIndexes returns the indexes of a collection (the automatic _openid one included).
func (s *Store) ListIndexes(name string) ([]IndexInfo, error) {
	c, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	pc, err := s.app.FindCollectionByNameOrId(c.pbID)
	if err != nil {
		return nil, newError(CodeCollectionNotExist, "collection %s does not exist", name)
	}
	out := []IndexInfo{}
	for _, raw := range pc.Indexes {
		idx := dbutils.ParseIndex(raw)
		out = append(out, IndexInfo{
			Name:   strings.TrimPrefix(idx.IndexName, indexPrefix(name)),
			Fields: parseIndexFields(raw),
			Unique: idx.Unique,
		})
	}
	return out, nil
}

// CreateIndex adds an index over document fields. The query planner uses it for
// equality, range and in conditions and for orderBy on those fields.
func (s *Store) CreateIndex(ctx context.Context, name string, spec IndexInfo) error {
	c, err := s.lookup(name)
	if err != nil {
		return err
	}
	if !indexNamePattern.MatchString(spec.Name) {
		return newError(CodeInvalidParam, "invalid index name %q: use 1-64 letters, digits and underscores", spec.Name)
	}
	if len(spec.Fields) == 0 || len(spec.Fields) > MaxIndexFields {
		return newError(CodeInvalidParam, "an index needs 1 to %d fields", MaxIndexFields)
	}
	cols := make([]string, 0, len(spec.Fields))
	for _, f := range spec.Fields {
		var col string
		switch {
		case f.Path == "_id":
			col = "`" + fieldID + "`"
		case f.Path == "_openid":
			col = "`" + fieldOpenID + "`"
		case indexablePath(f.Path):
			col = indexExpr(f.Path)
		default:
			return newError(CodeInvalidParam, "cannot index field %q: index paths are dotted identifiers (letters, digits, _)", f.Path)
		}
		if f.Desc {
			col += " DESC"
		}
		cols = append(cols, col)
	}
	pc, err := s.app.FindCollectionByNameOrId(c.pbID)
	if err != nil {
		return newError(CodeCollectionNotExist, "collection %s does not exist", name)
	}
	fullName := indexPrefix(name) + spec.Name
	if pc.GetIndex(fullName) != "" {
		return newError(CodeInvalidParam, "index %s already exists on %s", spec.Name, name)
	}
	if len(pc.Indexes) >= MaxIndexesPerCollection {
		return newError(CodeInvalidParam, "collection %s already has %d indexes", name, MaxIndexesPerCollection)
	}
	pc.AddIndex(fullName, spec.Unique, strings.Join(cols, ", "), "")
	if err := s.app.Save(pc); err != nil {
		if spec.Unique && strings.Contains(err.Error(), "UNIQUE") {
			return newError(CodeDuplicateKey, "cannot create unique index %s: documents already repeat its key", spec.Name)
		}
		return fmt.Errorf("create index %s on %s: %w", spec.Name, name, err)
	}
	s.refresh(name)
	return nil
}

// DropIndex removes an index.
func (s *Store) DropIndex(ctx context.Context, name, index string) error {
	c, err := s.lookup(name)
	if err != nil {
		return err
	}
	pc, err := s.app.FindCollectionByNameOrId(c.pbID)
	if err != nil {
		return newError(CodeCollectionNotExist, "collection %s does not exist", name)
	}
	full := indexPrefix(name) + index
	if pc.GetIndex(full) == "" {
		if pc.GetIndex(index) == "" {
			return newError(CodeInvalidParam, "index %s does not exist on %s", index, name)
		}
		full = index
	}
	pc.RemoveIndex(full)
	if err := s.app.Save(pc); err != nil {
		return fmt.Errorf("drop index %s on %s: %w", index, name, err)
	}
	s.refresh(name)
	return nil
}
