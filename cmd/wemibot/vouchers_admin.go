package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/comune-milano/wemibot/vouchers"
)

// importDeadline bounds the answer to an import: vouchers.MaxRows on the embedded
// store take about a minute.
const importDeadline = 5 * time.Minute

// vouchersAdminBy is who the history of a voucher says imported it over HTTP.
const vouchersAdminBy = "admin"

// vouchersImporter imports the Comune's list on POST /admin/vouchers (behind
// adminOnly): the body is the CSV file, ?dry_run=true changes nothing, and the answer
// is the import's report as JSON (vouchers.Report), or {"error": …} with 413 for a
// body over vouchers.MaxFileBytes, 422 for a file refused whole and 503 when the
// store fails (with the report of what was done before: importing again finishes).
type vouchersImporter struct {
	vouchers *vouchers.Store
	log      *slog.Logger
}

// ServeHTTP implements http.Handler.
func (h vouchersImporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dryRun, err := strconv.ParseBool(r.URL.Query().Get("dry_run"))
	if r.URL.Query().Get("dry_run") == "" {
		dryRun, err = false, nil
	}
	if err != nil {
		answerJSON(w, http.StatusBadRequest, map[string]string{"error": "dry_run: want true or false"})
		return
	}
	// A long list on the embedded store takes longer than the server's write
	// timeout (about 3 ms a voucher, each write an fsync'd transaction): this
	// request gets importDeadline instead.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(importDeadline))
	body := http.MaxBytesReader(w, r.Body, vouchers.MaxFileBytes)
	rep, err := h.vouchers.Import(r.Context(), body, vouchersAdminBy, dryRun)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, vouchers.ErrTooLarge):
		answerJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "the file is over 4 MiB"})
	case errors.Is(err, vouchers.ErrNoHeader), errors.Is(err, vouchers.ErrTooManyRows), errors.Is(err, vouchers.ErrNotCSV):
		answerJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
	case err != nil:
		h.log.ErrorContext(r.Context(), "vouchers import failed", "err", err, "imported", rep.Imported, "updated", rep.Updated)
		answerJSON(w, http.StatusServiceUnavailable, struct {
			Error  string          `json:"error"`
			Report vouchers.Report `json:"report"`
		}{"the store failed during the import: run it again to finish", rep})
	default:
		h.log.InfoContext(r.Context(), "vouchers imported", "dry_run", dryRun, "rows", rep.Rows, "imported", rep.Imported,
			"updated", rep.Updated, "unchanged", rep.Unchanged, "kept", len(rep.Kept), "rejected", len(rep.Rejected))
		answerJSON(w, http.StatusOK, rep)
	}
}

// answerJSON answers v as JSON with status.
func answerJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
