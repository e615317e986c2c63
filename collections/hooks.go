package collections

import (
	"errors"
	"fmt"
	"log/slog"

	validation "github.com/go-ozzo/ozzo-validation/v4"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/minicloud/minicloud/collections/ejson"
)

// bindHooks keeps PocketBase and the store in step: a base collection created in the
// dashboard (with no fields of its own) becomes a document collection, renames and
// deletions follow, and documents edited in the dashboard are normalised and tracked
// exactly like documents written through the CloudBase dialects.
func (s *Store) bindHooks() {
	app := s.app
	app.OnCollectionCreate().BindFunc(func(e *core.CollectionEvent) error {
		if isConvertible(e.Collection) {
			makeDocumentCollection(e.Collection)
		}
		return e.Next()
	})
	app.OnCollectionCreateExecute().BindFunc(func(e *core.CollectionEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if !isDocumentCollection(e.Collection) {
			return nil
		}
		metaCol, err := e.App.FindCollectionByNameOrId(MetaCollection)
		if err != nil {
			return fmt.Errorf("register collection %s: %w", e.Collection.Name, err)
		}
		meta := core.NewRecord(metaCol)
		meta.Set("name", e.Collection.Name)
		meta.Set("preset", string(DefaultPreset))
		meta.Set("arrayPaths", types.JSONRaw("[]"))
		return e.App.SaveNoValidate(meta)
	})
	app.OnCollectionAfterCreateSuccess().BindFunc(func(e *core.CollectionEvent) error {
		s.forget(e.Collection.Name)
		return e.Next()
	})
	app.OnCollectionUpdateExecute().BindFunc(func(e *core.CollectionEvent) error {
		old, _ := e.App.FindCollectionByNameOrId(e.Collection.Id)
		if err := e.Next(); err != nil {
			return err
		}
		if old != nil && old.Name != e.Collection.Name {
			if _, err := e.App.DB().NewQuery("UPDATE {{" + MetaCollection + "}} SET [[name]] = {:new} WHERE [[name]] = {:old}").
				Bind(dbx.Params{"new": e.Collection.Name, "old": old.Name}).Execute(); err != nil {
				return err
			}
			s.forget(old.Name)
		}
		return nil
	})
	app.OnCollectionAfterUpdateSuccess().BindFunc(func(e *core.CollectionEvent) error {
		s.refresh(e.Collection.Name) // indexes may have changed in the dashboard
		return e.Next()
	})
	app.OnCollectionDeleteExecute().BindFunc(func(e *core.CollectionEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		_, err := e.App.DB().NewQuery("DELETE FROM {{" + MetaCollection + "}} WHERE [[name]] = {:name}").
			Bind(dbx.Params{"name": e.Collection.Name}).Execute()
		return err
	})
	app.OnCollectionAfterDeleteSuccess().BindFunc(func(e *core.CollectionEvent) error {
		s.forget(e.Collection.Name)
		return e.Next()
	})

	normalize := func(e *core.RecordEvent) error {
		c, err := s.lookup(e.Record.Collection().Name)
		if err != nil {
			return e.Next() // not a document collection
		}
		body, err := s.normalizeRecord(e.Record)
		if err != nil {
			return validation.Errors{fieldData: validation.NewError("validation_invalid_document", err.Error())}
		}
		if err := s.recordArrayPathsWith(c, []ejson.D{body}, func(raw string) error {
			_, err := e.App.DB().NewQuery("UPDATE {{" + MetaCollection + "}} SET [[arrayPaths]] = {:p} WHERE id = {:id}").
				Bind(dbx.Params{"p": raw, "id": c.metaID}).Execute()
			return err
		}); err != nil {
			return err
		}
		return e.Next()
	}
	app.OnRecordCreate().BindFunc(normalize)
	app.OnRecordUpdate().BindFunc(normalize)
}

// isDocumentCollection reports whether a PocketBase collection has the document schema.
func isDocumentCollection(col *core.Collection) bool {
	if !col.IsBase() || !isConvertible(col) {
		return false
	}
	return col.Fields.GetByName(fieldData) != nil && col.Fields.GetByName(fieldOpenID) != nil
}

// normalizeRecord validates the JSON of a record edited outside the dialects and rewrites
// it in storage form: an object, without _id, with _openid moved to its column.
func (s *Store) normalizeRecord(rec *core.Record) (ejson.D, error) {
	raw, _ := rec.GetRaw(fieldData).(types.JSONRaw)
	var body ejson.D
	if len(raw) > 0 && string(raw) != "null" {
		v, err := ejson.Unmarshal(raw)
		if err != nil {
			return nil, err
		}
		d, ok := v.(ejson.D)
		if !ok {
			return nil, errors.New("the document must be a JSON object")
		}
		body = d
	}
	body = ejson.ResolveServerDates(body, timeNow()).(ejson.D)
	idv, hasID, ov, hasOpenID, rest := splitDocument(body)
	if hasID {
		if s, ok := idv.(string); !ok || (s != rec.Id && rec.Id != "") {
			return nil, errors.New("_id is the record id: change it in the id field")
		}
	}
	if hasOpenID {
		str, ok := ov.(string)
		if !ok {
			return nil, errors.New("_openid must be a string")
		}
		rec.Set(fieldOpenID, str)
	}
	if rest == nil {
		rest = ejson.D{}
	}
	data, err := encodeBody(rest)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, errors.New(e.Msg)
		}
		return nil, err
	}
	rec.Set(fieldData, types.JSONRaw(data))
	return rest, nil
}

// recordArrayPathsWith is recordArrayPaths with a custom persistence step, for hooks
// that run inside PocketBase's own transaction.
func (s *Store) recordArrayPathsWith(c *coll, docs []ejson.D, persist func(raw string) error) error {
	c.shapeMu.RLock()
	fresh := c.newArrayPaths(docs)
	c.shapeMu.RUnlock()
	if len(fresh) == 0 {
		return nil
	}
	raw := c.addArrayPaths(fresh)
	if err := persist(raw); err != nil {
		slog.Error("record array paths", "collection", c.name, "error", err)
		return err
	}
	return nil
}
