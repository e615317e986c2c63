package mql

import (
	"math"
	"strings"
	"testing"

	"github.com/minicloud/minicloud/collections/ejson"
)

// Tests of geo.go: GeoJSON parsing, $geoWithin, $geoIntersects and $nearSphere/$near
// with distances in meters (radius 6378.1 km, as MongoDB's 2dsphere).

func geoPoint(lng, lat string) string {
	return `{"loc":{"type":"Point","coordinates":[` + lng + `,` + lat + `]}}`
}

func geoWithin(geometry string) string {
	return `{"loc":{"$geoWithin":{"$geometry":` + geometry + `}}}`
}

const (
	geoSquare = `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}`
	// clockwise ring of the same square
	geoSquareCW = `{"type":"Polygon","coordinates":[[[0,0],[0,10],[10,10],[10,0],[0,0]]]}`
	// an L: the square minus its upper right quarter
	geoL = `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,5],[5,5],[5,10],[0,10],[0,0]]]}`
	// the square with two holes
	geoHoles = `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],` +
		`[[2,2],[4,2],[4,4],[2,4],[2,2]],[[6,6],[8,6],[8,8],[6,8],[6,6]]]}`
)

func TestGeoWithinPolygon(t *testing.T) {
	runMatchCases(t, []matchCase{
		{geoWithin(geoSquare), geoPoint("5", "5"), true},
		{geoWithin(geoSquare), geoPoint("10.0001", "5"), false},
		{geoWithin(geoSquare), geoPoint("-0.0001", "5"), false},
		{geoWithin(geoSquare), geoPoint("5", "10"), true},  // on an edge
		{geoWithin(geoSquare), geoPoint("10", "10"), true}, // on a vertex
		{geoWithin(geoSquareCW), geoPoint("5", "5"), true},
		{geoWithin(geoSquareCW), geoPoint("11", "5"), false},
		{geoWithin(geoL), geoPoint("2", "8"), true},
		{geoWithin(geoL), geoPoint("8", "2"), true},
		{geoWithin(geoL), geoPoint("8", "8"), false},
		{geoWithin(geoL), geoPoint("5", "7"), true}, // on the inner edge
		// points in any hole are outside
		{geoWithin(geoHoles), geoPoint("3", "3"), false},
		{geoWithin(geoHoles), geoPoint("7", "7"), false},
		{geoWithin(geoHoles), geoPoint("5", "5"), true},
		{geoWithin(geoHoles), geoPoint("1", "9"), true},
		// a MultiPolygon matches points in any of its polygons
		{geoWithin(`{"type":"MultiPolygon","coordinates":[[[[20,20],[30,20],[30,30],[20,30],[20,20]]],[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}`), geoPoint("25", "25"), true},
		{geoWithin(`{"type":"MultiPolygon","coordinates":[[[[20,20],[30,20],[30,30],[20,30],[20,20]]],[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}`), geoPoint("5", "5"), false},
		// stored values: legacy [lng, lat] pairs, arrays of points, non-points
		{geoWithin(geoSquare), `{"loc":[5,5]}`, true},
		{geoWithin(geoSquare), `{"loc":[5.5,{"$numberDecimal":"5"}]}`, true},
		{geoWithin(geoSquare), `{"loc":[[50,50],[5,5]]}`, true},
		{geoWithin(geoSquare), `{"loc":[{"type":"Point","coordinates":[50,50]},{"type":"Point","coordinates":[5,5]}]}`, true},
		{geoWithin(geoSquare), `{"loc":[[50,50],[60,60]]}`, false},
		{geoWithin(geoSquare), `{"loc":[5,5,5]}`, false},
		{geoWithin(geoSquare), `{"loc":{"lng":5,"lat":5}}`, false},
		{geoWithin(geoSquare), `{"loc":{"type":"Point","coordinates":[5,95]}}`, false},
		{geoWithin(geoSquare), `{"loc":{"type":"Point","coordinates":"5,5"}}`, false},
		{geoWithin(geoSquare), `{"loc":null}`, false},
		{geoWithin(geoSquare), `{}`, false},
		// through arrays of documents
		{`{"places.loc":{"$geoWithin":{"$geometry":` + geoSquare + `}}}`, `{"places":[{"loc":[50,50]},{"loc":[1,1]}]}`, true},
		{`{"places.loc":{"$geoWithin":{"$geometry":` + geoSquare + `}}}`, `{"places":[{"loc":[50,50]}]}`, false},
	})
}

func TestGeoWithinCenterSphere(t *testing.T) {
	// the radius is in radians: 0.5 rad ≈ 28.65° of arc
	runMatchCases(t, []matchCase{
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0.5]}}}`, geoPoint("0", "28.6"), true},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0.5]}}}`, geoPoint("0", "28.7"), false},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0.5]}}}`, geoPoint("28.6", "0"), true},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0]}}}`, geoPoint("0", "0"), true},
		// distances wrap around the antimeridian
		{`{"loc":{"$geoWithin":{"$centerSphere":[[179.5,0],0.02]}}}`, geoPoint("-179.5", "0"), true},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[179.5,0],0.01]}}}`, geoPoint("-179.5", "0"), false},
		// near a pole every longitude is close
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,89.9],0.01]}}}`, geoPoint("180", "89.9"), true},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0.1]}}}`, `{"loc":[0.5,0.5]}`, true},
	})
}

func TestGeoNearSphere(t *testing.T) {
	near := func(extra string) string {
		return `{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]}` + extra + `}}}`
	}
	// one degree of arc at the equator is 6378100·π/180 ≈ 111318.85 m
	runMatchCases(t, []matchCase{
		{near(`,"$maxDistance":111319`), geoPoint("1", "0"), true},
		{near(`,"$maxDistance":111318`), geoPoint("1", "0"), false},
		{near(`,"$minDistance":111318`), geoPoint("1", "0"), true},
		{near(`,"$minDistance":111319`), geoPoint("1", "0"), false},
		{near(`,"$minDistance":100000,"$maxDistance":120000`), geoPoint("0", "-1"), true},
		{near(`,"$maxDistance":0`), geoPoint("0", "0"), true},
		{near(`,"$maxDistance":1000`), `{"loc":[0,0.005]}`, true},
		{near(`,"$maxDistance":1000`), `{"loc":[0,0.01]}`, false},
		{near(``), geoPoint("180", "0"), true},
		{near(``), `{"loc":"somewhere"}`, false},
		{near(``), `{}`, false},
		// $near with a GeoJSON point also measures meters
		{`{"loc":{"$near":{"$geometry":{"type":"Point","coordinates":[179.5,0]},"$maxDistance":112000}}}`, geoPoint("-179.5", "0"), true},
		{`{"loc":{"$near":{"$geometry":{"type":"Point","coordinates":[0,90]},"$maxDistance":1}}}`, `{"loc":[120,90]}`, true},
	})
}

func TestGeoIntersects(t *testing.T) {
	runMatchCases(t, []matchCase{
		// a query polygon intersects the stored points it contains
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, geoPoint("3", "3"), true},
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, geoPoint("13", "3"), false},
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoHoles + `}}}`, geoPoint("3", "3"), false},
		// a query point intersects an equal point or a stored polygon containing it
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[3,3]}}}}`, geoPoint("3", "3"), true},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[3,3]}}}}`, geoPoint("3", "3.0001"), false},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[3,3]}}}}`, `{"loc":` + geoSquare + `}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[3,3]}}}}`, `{"loc":` + geoHoles + `}`, false},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[30,3]}}}}`, `{"loc":` + geoSquare + `}`, false},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[3,3]}}}}`, `{"loc":{"type":"Polygon","coordinates":[[[0,0],[1,0]]]}}`, false},
	})
}

func TestGeoParseErrors(t *testing.T) {
	cases := []struct {
		filter string
		err    string
	}{
		{`{"loc":{"$geoWithin":1}}`, "geo operator needs an object"},
		{`{"loc":{"$geoWithin":{"$geometry":1}}}`, "$geometry needs a GeoJSON object"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"Circle","coordinates":[0,0]}}}}`, "unsupported GeoJSON type"},
		{`{"loc":{"$geoWithin":{"$geometry":{"coordinates":[0,0]}}}}`, "unsupported GeoJSON type"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[]}}}}`, "Polygon coordinates must be an array of rings"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}}}}`, "a polygon ring needs at least four points"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}}}`, "a polygon ring must be closed"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,91],[0,0]]]}}}}`, "longitude/latitude out of bounds"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[181,0],[1,1],[0,1],[0,0]]]}}}}`, "longitude/latitude out of bounds"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0,5],[1,1],[0,1],[0,0]]]}}}}`, "a point needs [longitude, latitude]"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"MultiPolygon","coordinates":1}}}}`, "MultiPolygon coordinates must be an array"},
		{`{"loc":{"$geoWithin":{"$geometry":{"type":"Point","coordinates":[0,0]}}}}`, "$geoWithin needs a Polygon, MultiPolygon or $centerSphere"},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0]]}}}`, "$centerSphere needs [[lng, lat], radius]"},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],"1"]}}}`, "$centerSphere radius must be a number"},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,100],1]}}}`, "longitude/latitude out of bounds"},
		{`{"loc":{"$geoWithin":{"$box":[[0,0],[1,1]]}}}`, "unsupported geo argument $box"},
		{`{"loc":{"$nearSphere":{"$geometry":` + geoSquare + `}}}`, "$nearSphere needs a $geometry Point"},
		{`{"loc":{"$nearSphere":{"$maxDistance":5}}}`, "$nearSphere needs a $geometry Point"},
		{`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$maxDistance":-1}}}`, "$maxDistance must be a non-negative number"},
		{`{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]},"$minDistance":"1"}}}`, "$minDistance must be a non-negative number"},
		{`{"loc":{"$nearSphere":[0,0]}}`, "geo operator needs an object"},
		{`{"loc":{"$geoIntersects":{}}}`, "$geoIntersects needs a $geometry"},
	}
	for _, c := range cases {
		_, err := ParseFilter(mustDoc(t, c.filter))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ParseFilter(%s) = %v, want an error containing %q", c.filter, err, c.err)
		}
	}
}

func TestGeoHaversine(t *testing.T) {
	const degree = EarthRadiusMeters * math.Pi / 180
	cases := []struct {
		a, b [2]float64
		want float64
	}{
		{[2]float64{0, 0}, [2]float64{0, 0}, 0},
		{[2]float64{0, 0}, [2]float64{1, 0}, degree},
		{[2]float64{0, 0}, [2]float64{0, -1}, degree},
		{[2]float64{0, 0}, [2]float64{180, 0}, EarthRadiusMeters * math.Pi},
		{[2]float64{0, 90}, [2]float64{0, -90}, EarthRadiusMeters * math.Pi},
		{[2]float64{10, 90}, [2]float64{-170, 90}, 0},
		{[2]float64{179.5, 0}, [2]float64{-179.5, 0}, degree},
		// Beijing to Shanghai, about 1069 km on this sphere
		{[2]float64{116.397, 39.909}, [2]float64{121.4737, 31.2304}, 1069378.35},
	}
	for _, c := range cases {
		got := Haversine(c.a, c.b)
		if math.Abs(got-c.want) > 0.5 {
			t.Errorf("Haversine(%v, %v) = %.2f, want %.2f", c.a, c.b, got, c.want)
		}
		if back := Haversine(c.b, c.a); math.Abs(back-got) > 1e-6 {
			t.Errorf("Haversine is not symmetric for %v, %v: %v vs %v", c.a, c.b, got, back)
		}
	}
}

func TestGeoStoredValues(t *testing.T) {
	points := []struct {
		v  string
		ok bool
		pt [2]float64
	}{
		{`{"type":"Point","coordinates":[1,2]}`, true, [2]float64{1, 2}},
		{`[1,2]`, true, [2]float64{1, 2}},
		{`[-180,-90]`, true, [2]float64{-180, -90}},
		{`{"type":"Point","coordinates":[1]}`, false, [2]float64{}},
		{`{"type":"point","coordinates":[1,2]}`, false, [2]float64{}},
		{`{"type":"Point","coordinates":[200,0]}`, false, [2]float64{}},
		{`[1,"2"]`, false, [2]float64{}},
		{`[1,2,3]`, false, [2]float64{}},
		{`"1,2"`, false, [2]float64{}},
	}
	for _, c := range points {
		v, err := ejson.UnmarshalString(c.v)
		if err != nil {
			t.Fatal(err)
		}
		pt, ok := storedPoint(v)
		if ok != c.ok || (ok && pt != c.pt) {
			t.Errorf("storedPoint(%s) = %v, %v; want %v, %v", c.v, pt, ok, c.pt, c.ok)
		}
	}
	v, _ := ejson.UnmarshalString(geoHoles)
	poly, ok := storedPolygon(v)
	if !ok || len(poly) != 3 {
		t.Fatalf("storedPolygon(%s) = %v, %v", geoHoles, poly, ok)
	}
	v, _ = ejson.UnmarshalString(`{"type":"Point","coordinates":[1,2]}`)
	if _, ok := storedPolygon(v); ok {
		t.Error("a point is not a polygon")
	}
}

func TestGeoNearHelpers(t *testing.T) {
	f := mustFilter(t, `{"kind":"shop","pos.loc":{"$near":{"$geometry":{"type":"Point","coordinates":[120,30]}}}}`)
	n, ok := f.Near()
	if !ok || n.Path != "pos.loc" || n.Point != [2]float64{120, 30} {
		t.Fatalf("Near() = %+v, %v", n, ok)
	}
	const degree = EarthRadiusMeters * math.Pi / 180
	cases := []struct {
		doc  string
		want float64
	}{
		{`{"pos":{"loc":[120,31]}}`, degree},
		{`{"pos":[{"loc":[120,33]},{"loc":{"type":"Point","coordinates":[120,32]}}]}`, 2 * degree},
		{`{"pos":{"loc":[[120,35],[120,34]]}}`, 4 * degree},
		{`{"pos":{"loc":"x"}}`, math.Inf(1)},
		{`{}`, math.Inf(1)},
	}
	for _, c := range cases {
		got := n.Distance(mustDoc(t, c.doc))
		if math.IsInf(c.want, 1) != math.IsInf(got, 1) || (!math.IsInf(got, 1) && math.Abs(got-c.want) > 0.5) {
			t.Errorf("Distance(%s) = %v, want %v", c.doc, got, c.want)
		}
	}
	if d := (Near{Path: "a..b"}).Distance(ejson.D{}); !math.IsInf(d, 1) {
		t.Errorf("a bad path is infinitely far: %v", d)
	}
	// a $near under $or is not the query's near condition
	if _, ok := mustFilter(t, `{"$or":[{"loc":{"$nearSphere":{"$geometry":{"type":"Point","coordinates":[0,0]}}}},{"a":1}]}`).Near(); ok {
		t.Error("Near() must only report a top-level condition")
	}
	if _, ok := mustFilter(t, `{"loc":{"$geoWithin":{"$centerSphere":[[0,0],1]}}}`).Near(); ok {
		t.Error("$geoWithin is not a near condition")
	}
}

// ---- former known differences from MongoDB, now fixed (regression tests) ----

func TestGeoAntimeridianPolygon(t *testing.T) {
	// MongoDB's GeoJSON polygons have geodesic edges on the sphere: the ring
	// [170,-10] → [-170,-10] → [-170,10] → [170,10] is the 20°×20° box that straddles
	// the antimeridian (each edge takes the short way round). ringContains treated
	// longitude as a plane coordinate, so it took the 340°-wide complement instead:
	// [180,0] was outside and [0,0] inside. Rings are now unwrapped (unwrapPath).
	box := `{"type":"Polygon","coordinates":[[[170,-10],[-170,-10],[-170,10],[170,10],[170,-10]]]}`
	runMatchCases(t, []matchCase{
		{geoWithin(box), geoPoint("180", "0"), true},
		{geoWithin(box), geoPoint("175", "5"), true},
		{geoWithin(box), geoPoint("-175", "-5"), true},
		{geoWithin(box), geoPoint("0", "0"), false},
		{geoWithin(box), geoPoint("-180", "0"), true},
		{geoWithin(box), geoPoint("-169", "0"), false},
		{geoWithin(box), geoPoint("169", "0"), false},
		// a hole on the other side of the antimeridian from the ring's first vertex
		{geoWithin(`{"type":"Polygon","coordinates":[[[170,-10],[-170,-10],[-170,10],[170,10],[170,-10]],[[-178,-1],[-175,-1],[-175,1],[-178,1],[-178,-1]]]}`), geoPoint("-176", "0"), false},
		{geoWithin(`{"type":"Polygon","coordinates":[[[170,-10],[-170,-10],[-170,10],[170,10],[170,-10]],[[-178,-1],[-175,-1],[-175,1],[-178,1],[-178,-1]]]}`), geoPoint("-179", "0"), true},
		// stored geometries crossing it
		{geoWithin(box), `{"loc":{"type":"LineString","coordinates":[[175,0],[-175,0]]}}`, true},
		{geoWithin(box), `{"loc":{"type":"LineString","coordinates":[[175,0],[-165,0]]}}`, false},
		{geoWithin(box), `{"loc":{"type":"Polygon","coordinates":[[[175,-5],[-175,-5],[-175,5],[175,5],[175,-5]]]}}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, `{"loc":{"type":"LineString","coordinates":[[175,0],[-175,0]]}}`, false},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[-180,0]}}}}`, `{"loc":{"type":"LineString","coordinates":[[175,0],[-175,0]]}}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[0,0]}}}}`, `{"loc":{"type":"LineString","coordinates":[[175,0],[-175,0]]}}`, false},
	})
}

func TestGeoNonPointGeometries(t *testing.T) {
	// CloudBase's Geo API stores LineString, Polygon, MultiPoint… (db.Geo.*) and MongoDB's
	// $geoWithin/$geoIntersects match any stored GeoJSON geometry. geoQuery.test only
	// read stored points (and stored Polygons against a query Point), so other stored
	// geometries never matched, silently.
	runMatchCases(t, []matchCase{
		{geoWithin(geoSquare), `{"loc":{"type":"LineString","coordinates":[[1,1],[2,2]]}}`, true},
		{geoWithin(geoSquare), `{"loc":{"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,2],[1,1]]]}}`, true},
		{geoWithin(geoSquare), `{"loc":{"type":"MultiPoint","coordinates":[[1,1],[2,2]]}}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, `{"loc":{"type":"LineString","coordinates":[[-5,5],[15,5]]}}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, `{"loc":{"type":"Polygon","coordinates":[[[5,5],[15,5],[15,15],[5,15],[5,5]]]}}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[5,5]}}}}`, `{"loc":{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,10],[0,0]]]]}}`, true},
		// $geoWithin: the whole geometry inside, holes included
		{geoWithin(geoSquare), `{"loc":{"type":"LineString","coordinates":[[1,1],[20,1]]}}`, false},
		{geoWithin(geoL), `{"loc":{"type":"LineString","coordinates":[[4,9],[9,4]]}}`, false}, // cuts across the notch
		{geoWithin(geoL), `{"loc":{"type":"LineString","coordinates":[[1,1],[9,1],[9,4]]}}`, true},
		{geoWithin(geoSquare), `{"loc":{"type":"Polygon","coordinates":[[[5,5],[15,5],[15,15],[5,15],[5,5]]]}}`, false},
		{geoWithin(geoHoles), `{"loc":{"type":"Polygon","coordinates":[[[1,1],[9,1],[9,9],[1,9],[1,1]]]}}`, false}, // holds the holes
		{geoWithin(geoHoles), `{"loc":{"type":"Polygon","coordinates":[[[2.5,2.5],[3.5,2.5],[3.5,3.5],[2.5,3.5],[2.5,2.5]]]}}`, false},
		{geoWithin(geoHoles), `{"loc":{"type":"LineString","coordinates":[[1,3],[5,3]]}}`, false},
		{geoWithin(geoSquare), `{"loc":{"type":"MultiPoint","coordinates":[[1,1],[20,2]]}}`, false},
		{geoWithin(geoSquare), `{"loc":{"type":"MultiLineString","coordinates":[[[1,1],[2,2]],[[3,3],[4,4]]]}}`, true},
		{geoWithin(geoSquare), `{"loc":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,1]},{"type":"LineString","coordinates":[[2,2],[3,3]]}]}}`, true},
		{geoWithin(geoSquare), `{"loc":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,1]},{"type":"LineString","coordinates":[[2,2],[30,3]]}]}}`, false},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0.1]}}}`, `{"loc":{"type":"LineString","coordinates":[[1,1],[2,2]]}}`, true},
		{`{"loc":{"$geoWithin":{"$centerSphere":[[0,0],0.1]}}}`, `{"loc":{"type":"LineString","coordinates":[[1,1],[20,2]]}}`, false},
		// $geoIntersects: any shared point
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, `{"loc":{"type":"LineString","coordinates":[[10,10],[30,30]]}}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, `{"loc":{"type":"LineString","coordinates":[[-5,-5],[15,-5]]}}`, false},
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, `{"loc":{"type":"Polygon","coordinates":[[[-5,-5],[15,-5],[15,15],[-5,15],[-5,-5]]]}}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":` + geoSquare + `}}}`, `{"loc":{"type":"Polygon","coordinates":[[[20,20],[30,20],[30,30],[20,30],[20,20]]]}}`, false},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Polygon","coordinates":[[[3,3],[3.5,3],[3.5,3.5],[3,3.5],[3,3]]]}}}}`, `{"loc":` + geoHoles + `}`, false}, // in a hole
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Polygon","coordinates":[[[3,3],[5,3],[5,3.5],[3,3.5],[3,3]]]}}}}`, `{"loc":` + geoHoles + `}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[5,5]}}}}`, `{"loc":{"type":"LineString","coordinates":[[0,0],[10,10]]}}`, true},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[5,6]}}}}`, `{"loc":{"type":"LineString","coordinates":[[0,0],[10,10]]}}`, false},
		{`{"loc":{"$geoIntersects":{"$geometry":{"type":"Point","coordinates":[5,6]}}}}`, `{"loc":{"type":"MultiPoint","coordinates":[[1,1],[5,6]]}}`, true},
		// invalid geometries match nothing
		{geoWithin(geoSquare), `{"loc":{"type":"LineString","coordinates":[[1,1]]}}`, false},
		{geoWithin(geoSquare), `{"loc":{"type":"MultiPoint","coordinates":[]}}`, false},
		{geoWithin(geoSquare), `{"loc":{"type":"GeometryCollection","geometries":[]}}`, false},
	})
}
