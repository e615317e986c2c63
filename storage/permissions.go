package storage

import (
	"fmt"
	"strings"

	"github.com/minicloud/minicloud/collections"
)

// Caller is who asks: a signed-in user (OpenID) or server-side code with admin rights
// (collections.AdminCaller: the admin SDKs and cloud functions), which bypasses the
// storage rules as on CloudBase.
type Caller = collections.Caller

// Preset is one of CloudBase's storage security presets. The names are the ones
// CloudBase uses for both its database and its storage rules.
type Preset = collections.Preset

// The presets. Clients are the client SDKs (js-sdk, mini-programs); admins bypass them.
const (
	// PresetReadOnly (CloudBase's default for storage): every user reads, the creator writes.
	PresetReadOnly = collections.PresetReadOnly
	// PresetPrivate: only the creator reads and writes.
	PresetPrivate = collections.PresetPrivate
	// PresetAdminWrite: every user reads, only admins write.
	PresetAdminWrite = collections.PresetAdminWrite
	// PresetAdminOnly: only admins read and write.
	PresetAdminOnly = collections.PresetAdminOnly
)

// ParsePreset accepts a preset name in any case.
func ParsePreset(s string) (Preset, error) {
	p := Preset(strings.ToUpper(strings.TrimSpace(s)))
	switch p {
	case PresetReadOnly, PresetPrivate, PresetAdminWrite, PresetAdminOnly:
		return p, nil
	}
	return "", fmt.Errorf("unknown storage preset %q: use READONLY, PRIVATE, ADMINWRITE or ADMINONLY", s)
}

// publicRead reports whether every user may read the files of a preset: their temporary
// URLs may then live long.
func publicRead(p Preset) bool { return p == PresetReadOnly || p == PresetAdminWrite }

// mayEverRead reports whether a caller may read any file at all under the preset.
func mayEverRead(c Caller, p Preset) bool {
	return c.Admin || (c.OpenID != "" && p != PresetAdminOnly)
}

// mayEverWrite reports whether a caller may write any file at all under the preset.
func mayEverWrite(c Caller, p Preset) bool {
	return c.Admin || (c.OpenID != "" && (p == PresetReadOnly || p == PresetPrivate))
}

// canRead reports whether a caller may read a file owned by owner ("" = written with
// admin rights).
func canRead(c Caller, p Preset, owner string) bool {
	switch {
	case c.Admin:
		return true
	case c.OpenID == "":
		return false
	case p == PresetReadOnly || p == PresetAdminWrite:
		return true
	case p == PresetPrivate:
		return owner != "" && owner == c.OpenID
	}
	return false
}

// canWrite reports whether a caller may create (cur == nil), overwrite or delete a file.
func canWrite(c Caller, p Preset, cur *FileInfo) bool {
	if !mayEverWrite(c, p) {
		return false
	}
	if c.Admin || cur == nil {
		return true
	}
	return cur.Owner != "" && cur.Owner == c.OpenID
}

// policy decides client access: the custom rules when set, else the preset. Admin
// callers bypass both.
type policy struct {
	preset Preset
	rules  *Rules
}

// publicRead reports whether every user may read every file (temporary URLs may then
// live long): the preset says so, or the custom read rule is true.
func (p policy) publicRead() bool {
	if p.rules == nil {
		return publicRead(p.preset)
	}
	v, ok := p.rules.read.Value().(bool)
	return ok && v
}

// mayEverRead reports whether a caller may read any file at all (a quick refusal).
func (p policy) mayEverRead(c Caller) bool {
	if p.rules == nil {
		return mayEverRead(c, p.preset)
	}
	return c.Admin || !constFalse(p.rules.read)
}

// mayEverWrite reports whether a caller may write any file at all (a quick refusal).
func (p policy) mayEverWrite(c Caller) bool {
	if p.rules == nil {
		return mayEverWrite(c, p.preset)
	}
	return c.Admin || !constFalse(p.rules.write)
}

// canRead reports whether a caller may read the file at path owned by owner.
func (p policy) canRead(c Caller, path, owner string) bool {
	if p.rules == nil || c.Admin {
		return canRead(c, p.preset, owner)
	}
	return allow(p.rules.read, c, path, owner)
}

// canWrite reports whether a caller may create (cur == nil: the caller would own the
// file), overwrite or delete the file at path.
func (p policy) canWrite(c Caller, path string, cur *FileInfo) bool {
	if p.rules == nil || c.Admin {
		return canWrite(c, p.preset, cur)
	}
	owner := c.OpenID
	if cur != nil {
		owner = cur.Owner
	}
	return allow(p.rules.write, c, path, owner)
}
