package storage

import "testing"

func TestPermissions(t *testing.T) {
	admin := Caller{Admin: true}
	alice := Caller{OpenID: "alice"}
	bob := Caller{OpenID: "bob"}
	nobody := Caller{}
	aliceFile := &FileInfo{Owner: "alice"}
	adminFile := &FileInfo{Owner: ""}

	type want struct{ readOwn, readOther, create, writeOwn, writeOther bool }
	for preset, w := range map[Preset]want{
		PresetReadOnly:   {true, true, true, true, false},
		PresetPrivate:    {true, false, true, true, false},
		PresetAdminWrite: {true, true, false, false, false},
		PresetAdminOnly:  {false, false, false, false, false},
	} {
		got := want{
			readOwn:    canRead(alice, preset, "alice"),
			readOther:  canRead(bob, preset, "alice"),
			create:     canWrite(alice, preset, nil),
			writeOwn:   canWrite(alice, preset, aliceFile),
			writeOther: canWrite(bob, preset, aliceFile),
		}
		if got != w {
			t.Errorf("%s: got %+v, want %+v", preset, got, w)
		}
		if !canRead(admin, preset, "alice") || !canWrite(admin, preset, aliceFile) || !canWrite(admin, preset, nil) {
			t.Errorf("%s: admins are limited", preset)
		}
		if canRead(nobody, preset, "") || canWrite(nobody, preset, nil) || mayEverWrite(nobody, preset) || mayEverRead(nobody, preset) {
			t.Errorf("%s: a caller without an openid has rights", preset)
		}
		if canWrite(alice, preset, adminFile) {
			t.Errorf("%s: a client may overwrite an admin's file", preset)
		}
		if publicRead(preset) != (preset == PresetReadOnly || preset == PresetAdminWrite) {
			t.Errorf("%s: publicRead", preset)
		}
	}
	if p, err := ParsePreset(" private "); err != nil || p != PresetPrivate {
		t.Fatal(p, err)
	}
	if _, err := ParsePreset("CUSTOM"); err == nil {
		t.Fatal("an unknown preset parsed")
	}
}
