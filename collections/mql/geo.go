package mql

import (
	"math"

	"github.com/minicloud/minicloud/collections/ejson"
)

// EarthRadiusMeters converts distances on the sphere, as MongoDB's 2dsphere does.
const EarthRadiusMeters = 6378100.0

// geoQuery is a parsed $geoWithin, $geoIntersects or $nearSphere operand.
//
// Geometry is evaluated with planar ray casting on longitude/latitude for polygons and
// the haversine formula for distances: exact for points and small areas, an
// approximation of MongoDB's spherical edges for polygons spanning many degrees.
type geoQuery struct {
	kind     OpKind
	polygons [][][][2]float64 // polygons → rings → points
	point    [2]float64
	hasPoint bool
	radius   float64 // $centerSphere radius in meters
	center   bool
	minDist  float64
	maxDist  float64 // meters; <0 means unbounded
}

func parseGeo(kind OpKind, v any) (*geoQuery, error) {
	d, ok := v.(ejson.D)
	if !ok {
		return nil, errorf("geo operator needs an object")
	}
	g := &geoQuery{kind: kind, maxDist: -1}
	for _, e := range d {
		switch e.Key {
		case "$geometry":
			gd, ok := e.Value.(ejson.D)
			if !ok {
				return nil, errorf("$geometry needs a GeoJSON object")
			}
			if err := g.setGeometry(gd); err != nil {
				return nil, err
			}
		case "$centerSphere":
			arr, ok := e.Value.([]any)
			if !ok || len(arr) != 2 {
				return nil, errorf("$centerSphere needs [[lng, lat], radius]")
			}
			pt, err := toPoint(arr[0])
			if err != nil {
				return nil, err
			}
			if !ejson.IsNumber(arr[1]) {
				return nil, errorf("$centerSphere radius must be a number")
			}
			g.point, g.hasPoint, g.center = pt, true, true
			g.radius = ejson.ToFloat(arr[1]) * EarthRadiusMeters
		case "$maxDistance", "$minDistance":
			if !ejson.IsNumber(e.Value) || ejson.ToFloat(e.Value) < 0 {
				return nil, errorf("%s must be a non-negative number", e.Key)
			}
			if e.Key == "$maxDistance" {
				g.maxDist = ejson.ToFloat(e.Value)
			} else {
				g.minDist = ejson.ToFloat(e.Value)
			}
		default:
			return nil, errorf("unsupported geo argument %s", e.Key)
		}
	}
	switch kind {
	case OpNearSphere:
		if !g.hasPoint || len(g.polygons) > 0 {
			return nil, errorf("$nearSphere needs a $geometry Point")
		}
	case OpGeoWithin:
		if len(g.polygons) == 0 && !g.center {
			return nil, errorf("$geoWithin needs a Polygon, MultiPolygon or $centerSphere")
		}
	case OpGeoIntersects:
		if len(g.polygons) == 0 && !g.hasPoint {
			return nil, errorf("$geoIntersects needs a $geometry")
		}
	}
	return g, nil
}

func (g *geoQuery) setGeometry(d ejson.D) error {
	t, _ := d.Get("type")
	coords, _ := d.Get("coordinates")
	switch t {
	case "Point":
		pt, err := toPoint(coords)
		if err != nil {
			return err
		}
		g.point, g.hasPoint = pt, true
	case "Polygon":
		poly, err := toPolygon(coords)
		if err != nil {
			return err
		}
		g.polygons = [][][][2]float64{poly}
	case "MultiPolygon":
		arr, ok := coords.([]any)
		if !ok {
			return errorf("MultiPolygon coordinates must be an array")
		}
		for _, p := range arr {
			poly, err := toPolygon(p)
			if err != nil {
				return err
			}
			g.polygons = append(g.polygons, poly)
		}
	default:
		return errorf("unsupported GeoJSON type %v", t)
	}
	return nil
}

func toPoint(v any) ([2]float64, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 || !ejson.IsNumber(arr[0]) || !ejson.IsNumber(arr[1]) {
		return [2]float64{}, errorf("a point needs [longitude, latitude]")
	}
	lng, lat := ejson.ToFloat(arr[0]), ejson.ToFloat(arr[1])
	if lng < -180 || lng > 180 || lat < -90 || lat > 90 {
		return [2]float64{}, errorf("longitude/latitude out of bounds")
	}
	return [2]float64{lng, lat}, nil
}

func toPolygon(v any) ([][][2]float64, error) {
	rings, ok := v.([]any)
	if !ok || len(rings) == 0 {
		return nil, errorf("Polygon coordinates must be an array of rings")
	}
	out := make([][][2]float64, 0, len(rings))
	for _, r := range rings {
		pts, ok := r.([]any)
		if !ok || len(pts) < 4 {
			return nil, errorf("a polygon ring needs at least four points")
		}
		ring := make([][2]float64, 0, len(pts))
		for _, p := range pts {
			pt, err := toPoint(p)
			if err != nil {
				return nil, err
			}
			ring = append(ring, pt)
		}
		if ring[0] != ring[len(ring)-1] {
			return nil, errorf("a polygon ring must be closed")
		}
		out = append(out, ring)
	}
	return out, nil
}

// storedPoint reads a GeoJSON Point (or a legacy [lng, lat] pair) from a document value.
func storedPoint(v any) ([2]float64, bool) {
	if d, ok := v.(ejson.D); ok {
		t, _ := d.Get("type")
		if t != "Point" {
			return [2]float64{}, false
		}
		c, _ := d.Get("coordinates")
		pt, err := toPoint(c)
		return pt, err == nil
	}
	if arr, ok := v.([]any); ok && len(arr) == 2 && ejson.IsNumber(arr[0]) && ejson.IsNumber(arr[1]) {
		pt, err := toPoint(arr)
		return pt, err == nil
	}
	return [2]float64{}, false
}

func storedPolygon(v any) ([][][2]float64, bool) {
	d, ok := v.(ejson.D)
	if !ok {
		return nil, false
	}
	if t, _ := d.Get("type"); t != "Polygon" {
		return nil, false
	}
	c, _ := d.Get("coordinates")
	p, err := toPolygon(c)
	return p, err == nil
}

func (g *geoQuery) test(v any) bool {
	pt, isPoint := storedPoint(v)
	switch g.kind {
	case OpNearSphere:
		if !isPoint {
			return false
		}
		dist := Haversine(g.point, pt)
		return dist >= g.minDist && (g.maxDist < 0 || dist <= g.maxDist)
	case OpGeoWithin:
		if !isPoint {
			return false
		}
		if g.center {
			return Haversine(g.point, pt) <= g.radius
		}
		return g.containsPoint(pt)
	case OpGeoIntersects:
		if isPoint {
			if g.hasPoint {
				return pt == g.point
			}
			return g.containsPoint(pt)
		}
		if poly, ok := storedPolygon(v); ok && g.hasPoint {
			return polygonContains(poly, g.point)
		}
	}
	return false
}

func (g *geoQuery) containsPoint(pt [2]float64) bool {
	for _, poly := range g.polygons {
		if polygonContains(poly, pt) {
			return true
		}
	}
	return false
}

// polygonContains tests a point against an outer ring minus its holes.
func polygonContains(poly [][][2]float64, pt [2]float64) bool {
	if !ringContains(poly[0], pt) {
		return false
	}
	for _, hole := range poly[1:] {
		if ringContains(hole, pt) {
			return false
		}
	}
	return true
}

func ringContains(ring [][2]float64, pt [2]float64) bool {
	inside := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if onSegment(a, b, pt) {
			return true
		}
		if (a[1] > pt[1]) != (b[1] > pt[1]) {
			x := (b[0]-a[0])*(pt[1]-a[1])/(b[1]-a[1]) + a[0]
			if pt[0] < x {
				inside = !inside
			}
		}
	}
	return inside
}

func onSegment(a, b, p [2]float64) bool {
	cross := (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
	if math.Abs(cross) > 1e-12 {
		return false
	}
	return p[0] >= math.Min(a[0], b[0]) && p[0] <= math.Max(a[0], b[0]) &&
		p[1] >= math.Min(a[1], b[1]) && p[1] <= math.Max(a[1], b[1])
}

// Haversine returns the great-circle distance in meters between two [lng, lat] points.
func Haversine(a, b [2]float64) float64 {
	toRad := math.Pi / 180
	lat1, lat2 := a[1]*toRad, b[1]*toRad
	dLat := lat2 - lat1
	dLng := (b[0] - a[0]) * toRad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * EarthRadiusMeters * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Near describes a $nearSphere condition, whose results MongoDB orders by distance.
type Near struct {
	Path  string
	Point [2]float64
}

// Near returns the filter's top-level $nearSphere condition, if any.
func (f *Filter) Near() (Near, bool) {
	var found *Near
	var visit func(n Node)
	visit = func(n Node) {
		switch x := n.(type) {
		case *And:
			for _, c := range x.Children {
				visit(c)
			}
		case *Field:
			for _, op := range x.Ops {
				if op.Kind == OpNearSphere && found == nil {
					found = &Near{Path: x.Path, Point: op.Geo.point}
				}
			}
		}
	}
	visit(f.Root)
	if found == nil {
		return Near{}, false
	}
	return *found, true
}

// Distance returns the distance in meters from the near point to the nearest point the
// document holds at the near path (through arrays, as the filter matched it), or +Inf
// when it holds none.
func (n Near) Distance(doc ejson.D) float64 {
	segs, err := splitPath(n.Path)
	if err != nil {
		return math.Inf(1)
	}
	best := math.Inf(1)
	consider := func(v any) {
		if pt, ok := storedPoint(v); ok {
			best = math.Min(best, Haversine(n.Point, pt))
		}
	}
	walkMatch(doc, segs, func(v any, leafArray bool) bool {
		consider(v)
		if arr, ok := v.([]any); ok && leafArray {
			for _, e := range arr {
				consider(e)
			}
		}
		return false
	})
	return best
}
