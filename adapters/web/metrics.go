package web

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/comune-milano/wemibot/bot"
)

// Metrics are the bot's Prometheus metrics. It implements bot.Observer, and counts
// the chat platforms' API errors and retries for the channels.
type Metrics struct {
	reg       *prometheus.Registry
	messages  *prometheus.CounterVec
	searches  prometheus.Histogram
	noResults prometheus.Counter
	events    *prometheus.CounterVec
	apiErrors *prometheus.CounterVec
	retries   *prometheus.CounterVec
	reloads   *prometheus.CounterVec
}

var _ bot.Observer = (*Metrics)(nil)

// NewMetrics registers the metrics on a new registry, with the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wemibot_messages_total",
			Help: "Messages handled, by channel and by what they asked for."}, []string{"channel", "flow"}),
		searches: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "wemibot_search_seconds",
			Help: "Latency of catalogue searches.", Buckets: []float64{.0005, .001, .002, .005, .01, .025, .05, .1, .25, 1}}),
		noResults: prometheus.NewCounter(prometheus.CounterOpts{Name: "wemibot_searches_without_results_total",
			Help: "Searches that found no service."}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wemibot_staff_events_total",
			Help: "Events raised for staff: handoffs requested, emergencies."}, []string{"kind"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wemibot_platform_api_errors_total",
			Help: "Errors from chat platforms' APIs, by channel and method."}, []string{"channel", "method"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wemibot_platform_api_retries_total",
			Help: "Calls to chat platforms' APIs retried, by channel and method."}, []string{"channel", "method"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wemibot_catalogue_reloads_total",
			Help: "Catalogue reloads, by outcome."}, []string{"outcome"}),
	}
	m.reg.MustRegister(m.messages, m.searches, m.noResults, m.events, m.apiErrors, m.retries, m.reloads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Register adds collectors of other parts of the bot.
func (m *Metrics) Register(c ...prometheus.Collector) { m.reg.MustRegister(c...) }

// Message implements bot.Observer.
func (m *Metrics) Message(channel, flow string) { m.messages.WithLabelValues(channel, flow).Inc() }

// Searched implements bot.Observer.
func (m *Metrics) Searched(d time.Duration, empty bool) {
	m.searches.Observe(d.Seconds())
	if empty {
		m.noResults.Inc()
	}
}

// Raised implements bot.Observer.
func (m *Metrics) Raised(kind bot.EventKind) { m.events.WithLabelValues(string(kind)).Inc() }

// APIError counts an error from a platform's API; retried says the call is retried.
func (m *Metrics) APIError(channel, method string, retried bool) {
	m.apiErrors.WithLabelValues(channel, method).Inc()
	if retried {
		m.retries.WithLabelValues(channel, method).Inc()
	}
}

// Reloaded counts a catalogue reload, ok or refused.
func (m *Metrics) Reloaded(ok bool) {
	outcome := "ok"
	if !ok {
		outcome = "refused"
	}
	m.reloads.WithLabelValues(outcome).Inc()
}
