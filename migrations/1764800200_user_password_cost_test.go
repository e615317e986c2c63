package migrations_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/crypto/bcrypt"

	"github.com/minicloud/minicloud/internal/testapp"
	"github.com/minicloud/minicloud/migrations"
)

func TestClientUsersHashCheaply(t *testing.T) {
	app := testapp.New(t)
	for _, name := range []string{migrations.Users, migrations.WxUsers} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		rec := core.NewRecord(c)
		rec.SetRandomPassword()
		if c.Fields.GetByName("openid") != nil {
			rec.Set("openid", "o-cost-test")
		}
		if err := app.Save(rec); err != nil {
			t.Fatalf("%s: save: %v", name, err)
		}
		var hash string
		if err := app.DB().NewQuery("SELECT [[password]] FROM {{" + name + "}} WHERE [[id]] = {:id}").
			Bind(map[string]any{"id": rec.Id}).Row(&hash); err != nil {
			t.Fatal(err)
		}
		if cost, err := bcrypt.Cost([]byte(hash)); err != nil || cost != bcrypt.MinCost {
			t.Fatalf("%s: hash cost %d (%v), want %d", name, cost, err, bcrypt.MinCost)
		}
	}
}
