package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// WxUsers holds the users who signed in with WeChat (wx.login): one per openid.
const WxUsers = "wx_users"

func init() {
	m.Register(func(app core.App) error {
		users := core.NewAuthCollection(WxUsers)
		users.PasswordAuth.Enabled = false
		if f, ok := users.Fields.GetByName("email").(*core.EmailField); ok {
			f.Required = false
		}
		users.Fields.Add(
			&core.TextField{Name: "openid", Required: true, Max: 128},
			&core.TextField{Name: "unionid", Max: 128},
			&core.TextField{Name: "appid", Max: 64},
			// the WeChat session key decrypts the user's encryptedData: server-side only
			&core.TextField{Name: "sessionKey", Max: 128, Hidden: true},
			&core.DateField{Name: "lastLogin"},
			&core.AutodateField{Name: "created", OnCreate: true},
			&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
		)
		users.AddIndex("idx_wx_users_openid", true, "`appid`, `openid`", "")
		users.AddIndex("idx_wx_users_unionid", false, "`unionid`", "`unionid` != ''")
		users.AuthRule, users.ManageRule = nil, nil
		users.ListRule, users.ViewRule, users.CreateRule, users.UpdateRule, users.DeleteRule = nil, nil, nil, nil, nil
		if err := app.Save(users); err != nil {
			return fmt.Errorf("create %s: %w", WxUsers, err)
		}
		return nil
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(WxUsers)
		if err != nil {
			return nil
		}
		return app.Delete(c)
	})
}
