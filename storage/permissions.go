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
