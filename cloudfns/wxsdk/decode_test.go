package wxsdk

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/minicloud/minicloud/collections/ejson"
)

// TestToJS: each ejson value becomes what the SDK's EJSON.parse gives (numbers, Dates,
// objects in key order), and the types JavaScript has no class for stay in their EJSON
// wrapper form, which encodes back to the same value.
func TestToJS(t *testing.T) {
	d := newDirect(t, FlavorWX)
	for _, c := range []struct {
		v    any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{"s", `"s"`},
		{int64(-7), `-7`},
		{int64(1<<53 - 1), `9007199254740991`},
		{int64(1<<53 + 1), `9007199254740992`}, // beyond 2^53: the nearest double, as JavaScript reads it
		{int64(-1<<53 - 1), `-9007199254740992`},
		{math.Copysign(0, -1), `{"$number":"-0"}`},
		{math.NaN(), `{"$number":"NaN"}`},
		{1.5, `1.5`},
		{ejson.Date(-1), `{"$date":-1}`},
		{ejson.Date(8_640_000_000_000_001), `{"$date":null}`}, // out of Date's range: Invalid Date
		{ejson.Regex{Pattern: "^a", Options: "im"}, `{"pattern":"^a","options":"im"}`},
		{ejson.ObjectID("5f1d7a2b9c8e4a0012345678"), `{"$oid":"5f1d7a2b9c8e4a0012345678"}`},
		{ejson.Decimal("1.50"), `{"$numberDecimal":"1.50"}`},
		{ejson.Binary{Subtype: 0x80, Data: []byte{1, 2}}, `{"$binary":{"base64":"AQI=","subType":"80"}}`},
		{ejson.Binary{Subtype: 4}, `{"$binary":{"base64":"","subType":"04"}}`},
		{ejson.Timestamp{T: math.MaxUint32, I: 2}, `{"$timestamp":{"t":4294967295,"i":2}}`},
		{ejson.MinKey{}, `{"$minKey":1}`},
		{ejson.MaxKey{}, `{"$maxKey":1}`},
		{ejson.ServerDate{Offset: -5}, `{"$tcb_server_date":{"offset":-5}}`},
		{[]any{int64(1), []any{}, ejson.D{}}, `[1,[],{}]`},
		{ejson.D{{Key: "b", Value: int64(1)}, {Key: "2", Value: "x"}, {Key: "a", Value: nil}}, `{"2":"x","b":1,"a":null}`},
		{struct{}{}, `{"$undefined":true}`},
	} {
		if got := d.describe(d.m.toJS(c.v, true)); got != c.want {
			t.Errorf("%#v: got %s, want %s", c.v, got, c.want)
		}
	}
	// wrappers write back as the values they came from
	for _, v := range []any{ejson.ObjectID("5f1d7a2b9c8e4a0012345678"), ejson.Decimal("-1.5E+3"), ejson.Binary{Subtype: 0x80, Data: []byte{0, 255}},
		ejson.Timestamp{T: 1, I: 2}, ejson.MinKey{}, ejson.MaxKey{}, ejson.ServerDate{Offset: 7}, ejson.Date(-86_400_000)} {
		text, err := d.m.enc.encode(d.m.toJS(v, false))
		if err != nil {
			t.Fatal(err)
		}
		back, err := ejson.UnmarshalString(text)
		if err != nil || !ejson.Equal(back, v) {
			t.Errorf("%#v: written as %s, read back as %#v (%v)", v, text, back, err)
		}
	}
	// "__proto__" is an own field, not the prototype
	o := d.m.toJS(ejson.D{{Key: "__proto__", Value: ejson.D{{Key: "polluted", Value: true}}}}, false).(*goja.Object)
	_ = d.vm.Set("o", o)
	if got := d.describe(must(d.vm.RunString(`[Object.keys(o), o.polluted, Object.getPrototypeOf(o) === Object.prototype]`))); got != `[["__proto__"],{"$undefined":true},true]` {
		t.Errorf("__proto__: %s", got)
	}
}

// TestGeoValues: with Geo formatting on, a GeoJSON value the SDK would accept becomes
// its Geo class; anything malformed (out of range, too short, open, not numbers) stays
// a plain object (the real SDK fails the whole read: a deliberate difference).
func TestGeoValues(t *testing.T) {
	d := newDirect(t, FlavorWX)
	for _, c := range []struct{ doc, want string }{
		{`{"type":"Point","coordinates":[-180,90]}`, `Point`},
		{`{"type":"Point","coordinates":[1.5,2,3]}`, `Point`},
		{`{"type":"Point","coordinates":[180.5,0]}`, `plain`},
		{`{"type":"Point","coordinates":[0,-90.1]}`, `plain`},
		{`{"type":"Point","coordinates":[1]}`, `plain`},
		{`{"type":"Point","coordinates":["1","2"]}`, `plain`},
		{`{"type":"Point"}`, `plain`},
		{`{"type":"Point","coordinates":{"0":1,"1":2}}`, `plain`},
		{`{"type":"LineString","coordinates":[[0,0],[1,1]]}`, `LineString`},
		{`{"type":"LineString","coordinates":[[0,0]]}`, `plain`},
		{`{"type":"LineString","coordinates":[[0,0],[1,200]]}`, `plain`},
		{`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]],[[0,0],[0,0]]]}`, `Polygon`},
		{`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}`, `plain`},
		{`{"type":"Polygon","coordinates":[]}`, `plain`},
		{`{"type":"MultiPoint","coordinates":[[0,0]]}`, `MultiPoint`},
		{`{"type":"MultiPoint","coordinates":[]}`, `plain`},
		{`{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}`, `MultiLineString`},
		{`{"type":"MultiLineString","coordinates":[[[0,0]]]}`, `plain`},
		{`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[0,0]]]]}`, `MultiPolygon`},
		{`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1]]]]}`, `plain`},
		{`{"type":"Circle","coordinates":[0,0]}`, `plain`},
		{`{"type":7,"coordinates":[0,0]}`, `plain`},
		{`{"kind":"Point","coordinates":[0,0]}`, `plain`},
	} {
		v, err := ejson.UnmarshalString(c.doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, geo := range []bool{true, false} {
			want := c.want
			if !geo {
				want = "plain"
			}
			o := d.m.toJS(v, geo).(*goja.Object)
			got := "plain"
			if o.Prototype() != d.vm.Get("Object").ToObject(d.vm).Get("prototype") {
				got = o.Get("constructor").ToObject(d.vm).Get("name").String()
			}
			if got != want {
				t.Errorf("%s geo=%v: %s, want %s", c.doc, geo, got, want)
			}
			// a Geo value encodes back to the same GeoJSON (but for the altitude, which
			// Point drops as the SDK's does)
			if got != "plain" && !strings.Contains(c.doc, "[1.5,2,3]") {
				text, _ := d.m.enc.encode(o)
				back, _ := ejson.UnmarshalString(text)
				if !ejson.Equal(back, v) {
					t.Errorf("%s: written back as %s", c.doc, text)
				}
			}
		}
	}
}

// TestDecodeData: an action's whole answer, in each mode: list items are EJSON
// document strings (Geo-formatted in decodeList mode), doc is one, other fields plain.
func TestDecodeData(t *testing.T) {
	d := newDirect(t, FlavorWX)
	doc := `{"_id":"a","n":{"$numberInt":"1"},"p":{"type":"Point","coordinates":[1,2]}}`
	docJSON, _ := json.Marshal(doc)
	raw := `{"list":[` + string(docJSON) + `,{"inline":{"$numberLong":"5"}}],"total":{"$numberInt":"3"},"doc":` + string(docJSON) + `,"offset":0}`
	for _, c := range []struct {
		mode int
		want string
	}{
		{decodeList, `{"list":[{"_id":"a","n":1,"p":{"$class":"Point","longitude":1,"latitude":2}},{"inline":5}],"total":3,"doc":` + string(docJSON) + `,"offset":0}`},
		{decodeListPlain, `{"list":[{"_id":"a","n":1,"p":{"type":"Point","coordinates":[1,2]}},{"inline":5}],"total":3,"doc":` + string(docJSON) + `,"offset":0}`},
		{decodeDoc, `{"list":[` + string(docJSON) + `,{"inline":5}],"total":3,"doc":{"_id":"a","n":1,"p":{"type":"Point","coordinates":[1,2]}},"offset":0}`},
		{decodeNone, `{"list":[` + string(docJSON) + `,{"inline":5}],"total":3,"doc":` + string(docJSON) + `,"offset":0}`},
	} {
		v, err := d.m.decodeData([]byte(raw), c.mode)
		if err != nil {
			t.Fatalf("mode %d: %v", c.mode, err)
		}
		if got := d.describe(v); got != c.want {
			t.Errorf("mode %d\n got: %s\nwant: %s", c.mode, got, c.want)
		}
	}
	for raw, want := range map[string]string{
		``:                      `{}`,
		`{}`:                    `{}`,
		`{"doc":{"a":1}}`:       `{"doc":{"a":1}}`,
		`{"list":"not a list"}`: `{"list":"not a list"}`,
		`{"list":[{"$date":{"$numberLong":"0"}}]}`: `{"list":[{"$date":0}]}`,
	} {
		mode := decodeDoc
		if strings.Contains(raw, "list") {
			mode = decodeList
		}
		v, err := d.m.decodeData([]byte(raw), mode)
		if err != nil {
			t.Errorf("%s: %v", raw, err)
		} else if got := d.describe(v); got != want {
			t.Errorf("%s: got %s, want %s", raw, got, want)
		}
	}
	// a "__proto__" field of the answer stays an own field (describe.js cannot show it)
	v, err := d.m.decodeData([]byte(`{"__proto__":{"x":1},"y":2}`), decodeNone)
	if err != nil {
		t.Fatal(err)
	}
	_ = d.vm.Set("v", v)
	if got := d.describe(d.eval(`[Object.keys(v), v.__proto__.x, v.x, Object.getPrototypeOf(v) === Object.prototype]`)); got != `[["__proto__","y"],1,{"$undefined":true},true]` {
		t.Errorf("__proto__: %s", got)
	}
	for _, raw := range []string{`{`, `[]`, `"x"`, `{"list":["{not json"]}`, `{"doc":"[1,"}`, `{"a":1,"a":2}`} {
		mode := decodeDoc
		if strings.Contains(raw, "list") {
			mode = decodeList
		}
		if v, err := d.m.decodeData([]byte(raw), mode); err == nil {
			t.Errorf("%s accepted as %s", raw, d.describe(v))
		}
	}
}

// TestDecodeField: decodeField reads only the field asked for (skipping the others
// whatever they hold) and agrees with decodeData on it; a missing field is undefined.
func TestDecodeField(t *testing.T) {
	d := newDirect(t, FlavorWX)
	for _, c := range []struct {
		raw, field string
		mode       int
		want       string
	}{
		{`{"total":{"$numberInt":"3"}}`, "total", decodeNone, `3`},
		{`{"requestId":"r","skip":{"a":[1,{"b":"}]\"{["}],"c":null},"s":"x\"}","n":-1.5e3,"t":true,"total":7}`, "total", decodeNone, `7`},
		{` { "a" : [ ] , "deleted" : 2 } `, "deleted", decodeNone, `2`},
		{`{"li\u0073t":["{\"x\":1}"]}`, "list", decodeList, `[{"x":1}]`},
		{`{"list":["{\"p\":{\"type\":\"Point\",\"coordinates\":[1,2]}}"]}`, "list", decodeList, `[{"p":{"$class":"Point","longitude":1,"latitude":2}}]`},
		{`{"list":["{\"p\":{\"type\":\"Point\",\"coordinates\":[1,2]}}"]}`, "list", decodeListPlain, `[{"p":{"type":"Point","coordinates":[1,2]}}]`},
		{`{"list":[ "{}" , {"inline":{"$numberInt":"1"}} , "[]" ]}`, "list", decodeList, `[{},{"inline":1},[]]`},
		{`{"list":[]}`, "list", decodeList, `[]`},
		{`{"list":"x"}`, "list", decodeList, `"x"`},
		{`{"list":["{}"]}`, "list", decodeNone, `["{}"]`},
		{`{"insertedIds":["a",{"$oid":"5f1d7a2b9c8e4a0012345678"}]}`, "insertedIds", decodeNone, `["a",{"$oid":"5f1d7a2b9c8e4a0012345678"}]`},
		{`{"total":1,"total":2}`, "total", decodeNone, `1`},
		{`{}`, "total", decodeNone, `{"$undefined":true}`},
		{`{"a":1}`, "total", decodeNone, `{"$undefined":true}`},
		{`{"a":{"total":1}}`, "total", decodeNone, `{"$undefined":true}`},
	} {
		v, err := d.m.decodeField([]byte(c.raw), c.mode, c.field)
		if err != nil {
			t.Errorf("%s: %v", c.raw, err)
			continue
		}
		if got := d.describe(v); got != c.want {
			t.Errorf("%s %s\n got: %s\nwant: %s", c.raw, c.field, got, c.want)
		}
	}
	for _, c := range []struct {
		raw, field string
		ok         bool
	}{
		{``, "total", false}, {`[]`, "total", false}, {`{`, "total", false}, {`{"a"}`, "total", false}, {`{a:1}`, "total", false},
		{`{"a":1 "total":2}`, "total", false}, {`{"a":"x`, "total", false}, {`{"a":[1,2`, "total", false}, {`{"a":[1,2}`, "total", false},
		{`{"total":}`, "total", false}, {`{"total":tru}`, "total", false},
		{`{"list":["{bad"]}`, "list", false}, {`{"list":["{}" "{}"]}`, "list", false}, {`{"list":["{}",]}`, "list", false}, {`{"list":[,"{}"]}`, "list", false},
		{`{"list":["{}"`, "list", false},
		// the values it skips are not checked
		{`{"list":["{bad"]}`, "total", true}, {`{"list":["{}" "{}"],"total":1}`, "total", true}, {`{"total":}`, "list", true},
	} {
		v, err := d.m.decodeField([]byte(c.raw), decodeList, c.field)
		if (err == nil) != c.ok {
			t.Errorf("%q %s: %v, want ok=%v", c.raw, c.field, err, c.ok)
		}
		if err == nil && c.field == "total" && c.raw == `{"list":["{}" "{}"],"total":1}` && d.describe(v) != `1` {
			t.Errorf("%q: %s", c.raw, d.describe(v))
		}
	}
	// both ways of reading an answer agree on the field
	for _, raw := range []string{
		`{"list":["{\"a\":{\"$date\":{\"$numberLong\":\"-1\"}},\"b\":[1,{\"c\":\"d\"}]}","{\"g\":{\"type\":\"MultiPoint\",\"coordinates\":[[1,2]]}}"],"total":2}`,
		`{"requestId":"x","list":[]}`,
	} {
		whole, err := d.m.decodeData([]byte(raw), decodeList)
		if err != nil {
			t.Fatal(err)
		}
		field, err := d.m.decodeField([]byte(raw), decodeList, "list")
		if err != nil {
			t.Fatal(err)
		}
		if a, b := d.describe(whole.(*goja.Object).Get("list")), d.describe(field); a != b {
			t.Errorf("%s: decodeData %s, decodeField %s", raw, a, b)
		}
	}
}
