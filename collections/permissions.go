package collections

import (
	"context"
	"fmt"
)

// Preset is one of CloudBase's four collection permission presets, named by the tags
// CloudBase's own API uses (ModifyDatabaseACL AclTag).
type Preset string

// The permission presets.
const (
	// PresetReadOnly: everyone reads, the creator writes (所有用户可读，仅创建者可写).
	PresetReadOnly Preset = "READONLY"
	// PresetPrivate: only the creator reads and writes (仅创建者可读写). The default.
	PresetPrivate Preset = "PRIVATE"
	// PresetAdminWrite: everyone reads, only admins write (所有用户可读).
	PresetAdminWrite Preset = "ADMINWRITE"
	// PresetAdminOnly: only admins read and write (所有用户不可读写).
	PresetAdminOnly Preset = "ADMINONLY"
)

// DefaultPreset is the preset of a new collection, as on CloudBase.
const DefaultPreset = PresetPrivate

// Valid reports whether p names a preset.
func (p Preset) Valid() bool {
	switch p {
	case PresetReadOnly, PresetPrivate, PresetAdminWrite, PresetAdminOnly:
		return true
	}
	return false
}

// Caller identifies who runs a database operation. Admin callers (the admin dialect,
// cloud functions) bypass permissions; client callers are held to the preset and get
// their openid stamped on what they write.
type Caller struct {
	Admin  bool
	OpenID string
	// UID is the user id (auth.uid in security rules); for anonymous users it is
	// the openid too.
	UID string
	// UnionID and AppID of a WeChat user (what cloud functions see of their caller).
	UnionID, AppID string
	// LoginType is CloudBase's auth.loginType of the caller ("ANONYMOUS", "WECHAT", …).
	LoginType string
}

// AdminCaller is the caller of server-side code.
var AdminCaller = Caller{Admin: true}

// access is what a caller may do in a collection: denied, everything, or only the
// documents it created.
type access int

const (
	accessDenied access = iota
	accessAll
	accessOwn
)

func (p Preset) readAccess(c Caller) access {
	if c.Admin {
		return accessAll
	}
	switch p {
	case PresetReadOnly, PresetAdminWrite:
		return accessAll
	case PresetPrivate:
		return accessOwn
	}
	return accessDenied
}

func (p Preset) writeAccess(c Caller) access {
	if c.Admin {
		return accessAll
	}
	switch p {
	case PresetReadOnly, PresetPrivate:
		return accessOwn
	}
	return accessDenied
}

func checkClient(c Caller) error {
	if !c.Admin && c.OpenID == "" {
		return newError(CodePermissionDenied, "sign in first: client requests need a user")
	}
	return nil
}

func denied(coll, op string) error {
	return newError(CodePermissionDenied, "permission denied: %s on collection %s", op, coll)
}

// SetPreset changes a collection's permission preset.
func (s *Store) SetPreset(ctx context.Context, name string, p Preset) error {
	if !p.Valid() {
		return newError(CodeInvalidParam, "unknown permission preset %q (use READONLY, PRIVATE, ADMINWRITE or ADMINONLY)", p)
	}
	c, err := s.lookup(name)
	if err != nil {
		return err
	}
	rec, err := s.app.FindRecordById(MetaCollection, c.metaID)
	if err != nil {
		return fmt.Errorf("set preset of %s: %w", name, err)
	}
	rec.Set("preset", string(p))
	if err := s.app.Save(rec); err != nil {
		return fmt.Errorf("set preset of %s: %w", name, err)
	}
	s.refresh(name)
	return nil
}

// GetPreset returns a collection's permission preset.
func (s *Store) GetPreset(name string) (Preset, error) {
	c, err := s.lookup(name)
	if err != nil {
		return "", err
	}
	return c.settings().preset, nil
}
