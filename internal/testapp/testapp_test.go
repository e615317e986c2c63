package testapp

import "testing"

func TestNewHasMinicloudCollections(t *testing.T) {
	app := New(t)
	for _, name := range []string{"_mc_collections", "_mc_users", "_mc_apikeys"} {
		if _, err := app.FindCollectionByNameOrId(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
