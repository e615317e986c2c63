package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"golang.org/x/crypto/bcrypt"
)

// clientUserPasswordCost is the bcrypt cost of the client users' password hash. Their
// password auth is disabled and the password is random and never used, so hashing it
// at bcrypt's default cost (~60 ms of CPU) only made every new user's first sign-in a
// cheap way to load the server.
const clientUserPasswordCost = bcrypt.MinCost

func init() {
	setCost := func(cost int) func(app core.App) error {
		return func(app core.App) error {
			for _, name := range []string{Users, WxUsers} {
				c, err := app.FindCollectionByNameOrId(name)
				if err != nil {
					return fmt.Errorf("password cost: find %s: %w", name, err)
				}
				f, ok := c.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField)
				if !ok {
					return fmt.Errorf("password cost: %s has no password field", name)
				}
				f.Cost = cost
				if err := app.Save(c); err != nil {
					return fmt.Errorf("password cost: save %s: %w", name, err)
				}
			}
			return nil
		}
	}
	m.Register(setCost(clientUserPasswordCost), setCost(0))
}
