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
// approximation of MongoDB's spherical edges for polygons spanning many degrees. As
// MongoDB's geodesic edges, each edge takes the short way round, across the
// antimeridian when that is shorter (see unwrapPath).
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
		out = append(out, unwrapRing(ring))
	}
	// holes at the longitudes of the outer ring (not 360° away), so that one shift of a
	// point tests it against the outer ring and the holes alike
	lo := out[0][0][0]
	for _, pt := range out[0] {
		lo = math.Min(lo, pt[0])
	}
	for _, hole := range out[1:] {
		if k := 360 * math.Floor((hole[0][0]-lo)/360); k != 0 {
			for i := range hole {
				hole[i][0] -= k
			}
		}
	}
	return out, nil
}

// unwrapPath makes the longitudes of a path continuous: each edge takes the short way
// round, as MongoDB's geodesic edges do, so an edge from 170 to -170 goes on to 190
// across the antimeridian instead of back across the map. Longitudes may then leave
// [-180, 180]; the tests try each point at its longitude ±360 too (geoShifts).
func unwrapPath(path [][2]float64) [][2]float64 {
	out := make([][2]float64, len(path))
	copy(out, path)
	for i := 1; i < len(out); i++ {
		d := path[i][0] - path[i-1][0]
		switch {
		case d > 180:
			d -= 360
		case d < -180:
			d += 360
		}
		out[i][0] = out[i-1][0] + d
	}
	return out
}

// unwrapRing unwraps a closed ring (see unwrapPath). A ring that winds around a pole
// does not close once unwrapped: it is kept as given.
func unwrapRing(ring [][2]float64) [][2]float64 {
	out := unwrapPath(ring)
	last := len(out) - 1
	if math.Abs(out[last][0]-out[0][0]) > 180 {
		return ring
	}
	out[last] = out[0]
	return out
}

// toPath parses the coordinates of a LineString: at least two points.
func toPath(v any) ([][2]float64, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) < 2 {
		return nil, errorf("a LineString needs at least two points")
	}
	path := make([][2]float64, 0, len(arr))
	for _, p := range arr {
		pt, err := toPoint(p)
		if err != nil {
			return nil, err
		}
		path = append(path, pt)
	}
	return unwrapPath(path), nil
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

// geoShape is a stored geometry as $geoWithin and $geoIntersects test it: the points,
// paths and polygons of a GeoJSON Point, MultiPoint, LineString, MultiLineString,
// Polygon, MultiPolygon or GeometryCollection, or of a legacy [lng, lat] pair.
type geoShape struct {
	points   [][2]float64
	paths    [][][2]float64
	polygons [][][][2]float64
}

// storedShape reads a stored geometry; ok is false for anything that is not a valid
// one, which no geo operator matches.
func storedShape(v any) (geoShape, bool) {
	var s geoShape
	if pt, ok := storedPoint(v); ok {
		s.points = [][2]float64{pt}
		return s, true
	}
	d, ok := v.(ejson.D)
	return s, ok && s.add(d, true)
}

// add adds a GeoJSON geometry to s; a GeometryCollection (when collection is true)
// adds its geometries, which cannot be collections themselves.
func (s *geoShape) add(d ejson.D, collection bool) bool {
	t, _ := d.Get("type")
	if t == "GeometryCollection" {
		g, _ := d.Get("geometries")
		geoms, ok := g.([]any)
		if !collection || !ok || len(geoms) == 0 {
			return false
		}
		for _, g := range geoms {
			gd, ok := g.(ejson.D)
			if !ok || !s.add(gd, false) {
				return false
			}
		}
		return true
	}
	c, _ := d.Get("coordinates")
	if t == "Point" {
		pt, err := toPoint(c)
		s.points = append(s.points, pt)
		return err == nil
	}
	arr, ok := c.([]any)
	if !ok {
		return false
	}
	switch t {
	case "LineString":
		path, err := toPath(arr)
		s.paths = append(s.paths, path)
		return err == nil
	case "Polygon":
		poly, err := toPolygon(arr)
		s.polygons = append(s.polygons, poly)
		return err == nil
	case "MultiPoint", "MultiLineString", "MultiPolygon":
		if len(arr) == 0 {
			return false
		}
		for _, e := range arr {
			var err error
			switch t {
			case "MultiPoint":
				var pt [2]float64
				pt, err = toPoint(e)
				s.points = append(s.points, pt)
			case "MultiLineString":
				var path [][2]float64
				path, err = toPath(e)
				s.paths = append(s.paths, path)
			default:
				var poly [][][2]float64
				poly, err = toPolygon(e)
				s.polygons = append(s.polygons, poly)
			}
			if err != nil {
				return false
			}
		}
		return true
	}
	return false
}

func (g *geoQuery) test(v any) bool {
	if g.kind == OpNearSphere {
		pt, ok := storedPoint(v)
		if !ok {
			return false
		}
		dist := Haversine(g.point, pt)
		return dist >= g.minDist && (g.maxDist < 0 || dist <= g.maxDist)
	}
	s, ok := storedShape(v)
	if !ok {
		return false
	}
	if g.kind == OpGeoWithin {
		return g.within(s)
	}
	return g.intersects(s)
}

// within reports whether the whole stored geometry lies in the query's region: each
// point, path and polygon in one of the query polygons (or in the $centerSphere cap).
func (g *geoQuery) within(s geoShape) bool {
	if g.center {
		in := func(pt [2]float64) bool { return Haversine(g.point, pt) <= g.radius }
		for _, pt := range s.points {
			if !in(pt) {
				return false
			}
		}
		// a cap is convex: it holds a path or polygon that has all its vertices
		for _, path := range s.paths {
			for _, pt := range path {
				if !in(pt) {
					return false
				}
			}
		}
		for _, poly := range s.polygons {
			for _, pt := range poly[0] {
				if !in(pt) {
					return false
				}
			}
		}
		return true
	}
	for _, pt := range s.points {
		if !g.containsPoint(pt) {
			return false
		}
	}
	for _, path := range s.paths {
		if !g.anyPolygon(func(poly [][][2]float64) bool { return pathWithin(poly, path) }) {
			return false
		}
	}
	for _, sp := range s.polygons {
		if !g.anyPolygon(func(poly [][][2]float64) bool { return polygonWithin(poly, sp) }) {
			return false
		}
	}
	return true
}

// intersects reports whether the stored geometry and the query's point or polygons
// share a point.
func (g *geoQuery) intersects(s geoShape) bool {
	if len(g.polygons) == 0 {
		q := g.point
		for _, pt := range s.points {
			if pt == q {
				return true
			}
		}
		for _, path := range s.paths {
			for _, k := range geoShifts {
				for i := 1; i < len(path); i++ {
					if onSegment(path[i-1], path[i], geoShift(q, k)) {
						return true
					}
				}
			}
		}
		for _, sp := range s.polygons {
			if polygonContains(sp, q) {
				return true
			}
		}
		return false
	}
	for _, pt := range s.points {
		if g.containsPoint(pt) {
			return true
		}
	}
	for _, path := range s.paths {
		if g.anyPolygon(func(poly [][][2]float64) bool { return pathTouches(poly, path) }) {
			return true
		}
	}
	for _, sp := range s.polygons {
		if g.anyPolygon(func(poly [][][2]float64) bool { return polygonsTouch(poly, sp) }) {
			return true
		}
	}
	return false
}

func (g *geoQuery) anyPolygon(f func(poly [][][2]float64) bool) bool {
	for _, poly := range g.polygons {
		if f(poly) {
			return true
		}
	}
	return false
}

func (g *geoQuery) containsPoint(pt [2]float64) bool {
	return g.anyPolygon(func(poly [][][2]float64) bool { return polygonContains(poly, pt) })
}

// geoShifts are the longitude offsets a point or stored geometry is tried at against
// a polygon whose unwrapped longitudes may leave [-180, 180] (see unwrapPath).
var geoShifts = [...]float64{0, 360, -360}

func geoShift(pt [2]float64, k float64) [2]float64 {
	return [2]float64{pt[0] + k, pt[1]}
}

// polygonContains tests a point against an outer ring minus its holes.
func polygonContains(poly [][][2]float64, pt [2]float64) bool {
	for _, k := range geoShifts {
		if polygonContainsAt(poly, geoShift(pt, k)) {
			return true
		}
	}
	return false
}

// polygonContainsAt is polygonContains without trying other longitudes.
func polygonContainsAt(poly [][][2]float64, pt [2]float64) bool {
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

// pathWithin reports whether a path lies in a polygon: all its vertices inside and
// none of its edges crossing an edge of the polygon's rings.
func pathWithin(poly [][][2]float64, path [][2]float64) bool {
	for _, k := range geoShifts {
		if pathWithinAt(poly, path, k) {
			return true
		}
	}
	return false
}

// pathWithinAt is pathWithin for the path shifted by k degrees of longitude.
func pathWithinAt(poly [][][2]float64, path [][2]float64, k float64) bool {
	for i, pt := range path {
		a := geoShift(pt, k)
		if !polygonContainsAt(poly, a) {
			return false
		}
		if i == 0 {
			continue
		}
		b := geoShift(path[i-1], k)
		for _, ring := range poly {
			for j := 1; j < len(ring); j++ {
				if segmentsCross(a, b, ring[j-1], ring[j]) {
					return false
				}
			}
		}
	}
	return true
}

// polygonWithin reports whether stored polygon sp lies in polygon poly: its outer ring
// within poly, and none of poly's holes inside it.
func polygonWithin(poly, sp [][][2]float64) bool {
	for _, k := range geoShifts {
		if !pathWithinAt(poly, sp[0], k) {
			continue
		}
		holeInside := false
		for _, hole := range poly[1:] {
			// the rings do not cross: a hole is inside sp if any vertex is
			for _, pt := range hole {
				if in := geoShift(pt, -k); polygonContainsAt(sp, in) && !onRing(sp[0], in) {
					holeInside = true
					break
				}
			}
		}
		if !holeInside {
			return true
		}
	}
	return false
}

// pathTouches reports whether a path and a polygon share a point: a vertex inside the
// polygon, or an edge touching one of its rings' edges.
func pathTouches(poly [][][2]float64, path [][2]float64) bool {
	for _, k := range geoShifts {
		if pathTouchesAt(poly, path, k) {
			return true
		}
	}
	return false
}

// pathTouchesAt is pathTouches for the path shifted by k degrees of longitude.
func pathTouchesAt(poly [][][2]float64, path [][2]float64, k float64) bool {
	for i, pt := range path {
		a := geoShift(pt, k)
		if polygonContainsAt(poly, a) {
			return true
		}
		if i == 0 {
			continue
		}
		b := geoShift(path[i-1], k)
		for _, ring := range poly {
			for j := 1; j < len(ring); j++ {
				if segmentsTouch(a, b, ring[j-1], ring[j]) {
					return true
				}
			}
		}
	}
	return false
}

// polygonsTouch reports whether polygons poly and sp share a point: a ring of sp
// touching poly, or poly inside sp.
func polygonsTouch(poly, sp [][][2]float64) bool {
	for _, k := range geoShifts {
		for _, ring := range sp {
			if pathTouchesAt(poly, ring, k) {
				return true
			}
		}
		if polygonContainsAt(sp, geoShift(poly[0][0], -k)) {
			return true
		}
	}
	return false
}

// orientation is the sign of the turn a → b → p: > 0 left, < 0 right, 0 collinear.
func orientation(a, b, p [2]float64) float64 {
	return (b[0]-a[0])*(p[1]-a[1]) - (b[1]-a[1])*(p[0]-a[0])
}

// segmentsCross reports whether segments ab and cd cross at a point inside both.
func segmentsCross(a, b, c, d [2]float64) bool {
	o1, o2 := orientation(c, d, a), orientation(c, d, b)
	o3, o4 := orientation(a, b, c), orientation(a, b, d)
	return ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))
}

// segmentsTouch reports whether segments ab and cd share a point.
func segmentsTouch(a, b, c, d [2]float64) bool {
	return segmentsCross(a, b, c, d) || onSegment(c, d, a) || onSegment(c, d, b) ||
		onSegment(a, b, c) || onSegment(a, b, d)
}

// onRing reports whether a point is on an edge of a ring.
func onRing(ring [][2]float64, pt [2]float64) bool {
	for i := 1; i < len(ring); i++ {
		if onSegment(ring[i-1], ring[i], pt) {
			return true
		}
	}
	return false
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
