package search

import (
	"math"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2/geo"
	"github.com/blevesearch/bleve/v2/numeric"

	"github.com/comune-milano/wemibot/catalogue"
)

// placeTable is each service's point, as Bleve indexed it (rounded to 32 bits a
// coordinate: distances are measured from the rounded point), and a grid of square
// cells sized for a few services each, so that the services nearest to a point are
// found by looking at the cells around it, nearest rings first.
type placeTable struct {
	ordinal   map[string]int32 // service id -> position in the slices below
	services  []*catalogue.Service
	lon, lat  []float64
	located   []bool
	cell      float64 // a cell's side, in degrees
	cells     map[cellKey][]int32
	lo, hi    cellKey // the cells that hold services lie within these corners
	cosMin    float64 // the least cosine of the latitudes of the services
	unlocated []int32 // services without a point, by id: Bleve sorts them last
}

const (
	// servicesPerCell is how many services a cell holds on average, were they spread
	// evenly over the catalogue's area; a cell's side is between minCell and maxCell.
	servicesPerCell = 4
	minCell         = 0.0005 // about 50 m
	maxCell         = 0.01
	// maxRings bounds the rings looked at around a point; farther points, outside
	// the catalogue's area, look at every service.
	maxRings = 256
	// minDiameterMetres is the shortest diameter of the Earth Bleve's distance uses, so
	// that a bound below is never above a distance it measures.
	minDiameterMetres = 2 * 6356752.0
)

type cellKey struct{ row, col int32 }

func (t *placeTable) cellOf(lat, lon float64) cellKey {
	return cellKey{int32(math.Floor(lat / t.cell)), int32(math.Floor(lon / t.cell))}
}

// newPlaceTable is the place table of a catalogue's services.
func newPlaceTable(services []*catalogue.Service) *placeTable {
	n := len(services)
	t := &placeTable{ordinal: make(map[string]int32, n), services: services, cells: map[cellKey][]int32{},
		lon: make([]float64, n), lat: make([]float64, n), located: make([]bool, n), cosMin: 1,
		lo: cellKey{math.MaxInt32, math.MaxInt32}, hi: cellKey{math.MinInt32, math.MinInt32}}
	var located []int32
	for i, s := range services {
		ord := int32(i)
		t.ordinal[s.ID] = ord
		if s.Organization == nil { // as serviceDocument: no provider, no location
			t.unlocated = append(t.unlocated, ord)
			continue
		}
		p := s.Organization.Location.Point
		h := geo.MortonHash(p.Lon, p.Lat)
		t.lon[i], t.lat[i], t.located[i] = geo.MortonUnhashLon(h), geo.MortonUnhashLat(h), true
		t.cosMin = min(t.cosMin, math.Cos(t.lat[i]*math.Pi/180))
		located = append(located, ord)
	}
	t.cell = t.cellSide(located)
	for _, ord := range located {
		c := t.cellOf(t.lat[ord], t.lon[ord])
		t.cells[c] = append(t.cells[c], ord)
		t.lo = cellKey{min(t.lo.row, c.row), min(t.lo.col, c.col)}
		t.hi = cellKey{max(t.hi.row, c.row), max(t.hi.col, c.col)}
	}
	slices.SortFunc(t.unlocated, func(a, b int32) int { return strings.Compare(services[a].ID, services[b].ID) })
	return t
}

// cellSide is the side of cells that would hold servicesPerCell of the located
// services each, were they spread evenly over the area they cover.
func (t *placeTable) cellSide(located []int32) float64 {
	if len(located) == 0 {
		return maxCell
	}
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, ord := range located {
		minLat, maxLat = min(minLat, t.lat[ord]), max(maxLat, t.lat[ord])
		minLon, maxLon = min(minLon, t.lon[ord]), max(maxLon, t.lon[ord])
	}
	area := (maxLat - minLat) * (maxLon - minLon)
	return min(max(math.Sqrt(area*servicesPerCell/float64(len(located))), minCell), maxCell)
}

// distanceKey is what Bleve sorts a service by for a point: the distance in metres
// as a sortable integer, the largest for a service without a location.
func (t *placeTable) distanceKey(i int32, p catalogue.Point) int64 {
	if !t.located[i] {
		return math.MaxInt64
	}
	return numeric.Float64ToInt64(geo.Haversin(p.Lon, p.Lat, t.lon[i], t.lat[i]) * 1000)
}

// nearHit is a service and its distance from a point.
type nearHit struct {
	scoredService
	key int64
}

// nearest returns the n services keep accepts nearest to p, by distance then id
// (the order of services that score alike).
func (t *placeTable) nearest(p catalogue.Point, n int, keep func(*catalogue.Service) bool) []nearHit {
	best := make([]nearHit, 0, n)
	consider := func(ord int32) {
		if keep(t.services[ord]) {
			best = t.insert(best, n, nearHit{scoredService: scoredService{ord: ord}, key: t.distanceKey(ord, p)})
		}
	}
	c := t.cellOf(p.Lat, p.Lon)
	rings := max(abs32(c.row-t.lo.row), abs32(c.row-t.hi.row), abs32(c.col-t.lo.col), abs32(c.col-t.hi.col))
	if len(t.cells) == 0 || rings > maxRings {
		for ord := range t.services {
			if t.located[ord] {
				consider(int32(ord))
			}
		}
	} else {
		cosMin := min(t.cosMin, math.Cos(p.Lat*math.Pi/180))
		for r := int32(0); r <= rings; r++ {
			if len(best) == n && t.ringBound(r, cosMin) > numeric.Int64ToFloat64(best[n-1].key) {
				break
			}
			t.eachInRing(c, r, consider)
		}
	}
	for _, ord := range t.unlocated {
		if len(best) == n {
			break
		}
		consider(ord)
	}
	return best
}

// ringBound is a distance, in metres, that no point of a cell r rings away from a
// point's cell comes closer than: at least r-1 whole cells lie between them, in
// latitude or in longitude, and the haversine is at least
// diameter·max(sin(Δlat/2), cos(lat)·sin(Δlon/2)).
func (t *placeTable) ringBound(r int32, cosMin float64) float64 {
	if r <= 1 {
		return 0
	}
	gap := float64(r-1) * t.cell * math.Pi / 180
	return 0.999 * minDiameterMetres * cosMin * math.Sin(gap/2)
}

// eachInRing calls f on the services of the cells r rings around c.
func (t *placeTable) eachInRing(c cellKey, r int32, f func(int32)) {
	visit := func(row, col int32) {
		if row < t.lo.row || row > t.hi.row || col < t.lo.col || col > t.hi.col {
			return
		}
		for _, ord := range t.cells[cellKey{row, col}] {
			f(ord)
		}
	}
	if r == 0 {
		visit(c.row, c.col)
		return
	}
	for col := c.col - r; col <= c.col+r; col++ {
		visit(c.row-r, col)
		visit(c.row+r, col)
	}
	for row := c.row - r + 1; row <= c.row+r-1; row++ {
		visit(row, c.col-r)
		visit(row, c.col+r)
	}
}

// insert keeps h among the n best hits, by distance then id.
func (t *placeTable) insert(best []nearHit, n int, h nearHit) []nearHit {
	before := func(a, b nearHit) bool {
		return a.key < b.key || (a.key == b.key && t.services[a.ord].ID < t.services[b.ord].ID)
	}
	if len(best) == n && !before(h, best[n-1]) {
		return best
	}
	if len(best) < n {
		best = append(best, h)
	}
	i := len(best) - 1
	for ; i > 0 && before(h, best[i-1]); i-- {
		best[i] = best[i-1]
	}
	best[i] = h
	return best
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}
