package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/comune-milano/wemibot/adapters/web"
	"github.com/comune-milano/wemibot/search"
	"github.com/comune-milano/wemibot/search/searchtest"
)

// The HSDS API's answers on the bundled catalogue, through the handler (the export
// is done once, before the timer).
func BenchmarkHSDS(b *testing.B) {
	h := web.NewHSDS(search.NewLive(searchtest.Bundled(b)), web.HSDSOptions{})
	for _, c := range []struct{ name, url string }{
		{"ServicesPage", "/hsds/services?per_page=50"},
		{"ServicesSearch", "/hsds/services?search=badante+per+mia+madre"},
		{"ServiceByID", "/hsds/services/arcobaleno-babysitting-domicilio"},
		{"Nearest", "/hsds/service_at_locations?lat=45.4786&lon=9.2263&proximity=1500"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, c.url, nil)
			h.ServeHTTP(httptest.NewRecorder(), req) // export the catalogue once
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d", c.url, w.Code)
				}
			}
		})
	}
}
