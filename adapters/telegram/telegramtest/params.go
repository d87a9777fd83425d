package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// params are the parameters of one Bot API call. Values hold text as sent: numbers in
// decimal, objects and arrays as JSON, which is how tgbotapi and the reference pass them.
type params struct {
	values map[string]string
	files  map[string]upload
}

// upload is a file sent in a multipart request.
type upload struct {
	name string
	data []byte
}

// parseParams reads the query string and the body of r, as the Bot API accepts them:
// application/x-www-form-urlencoded, multipart/form-data or application/json.
func parseParams(w http.ResponseWriter, r *http.Request) (params, error) {
	p := params{values: map[string]string{}, files: map[string]upload{}}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mediaType {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxRequestBody); err != nil {
			return p, fmt.Errorf("can't parse multipart request: %v", err)
		}
		defer r.MultipartForm.RemoveAll()
		for key, vals := range r.MultipartForm.Value {
			p.values[key] = vals[0]
		}
		for key, headers := range r.MultipartForm.File {
			f, err := headers[0].Open()
			if err != nil {
				return p, fmt.Errorf("can't read file %q: %v", key, err)
			}
			data, err := io.ReadAll(f)
			_ = f.Close()
			if err != nil {
				return p, fmt.Errorf("can't read file %q: %v", key, err)
			}
			p.files[key] = upload{name: headers[0].Filename, data: data}
		}
	case "application/json":
		if err := decodeJSONParams(r.Body, p.values); err != nil {
			return p, err
		}
	default:
		if err := r.ParseForm(); err != nil {
			return p, fmt.Errorf("can't parse request parameters: %v", err)
		}
	}
	// Query parameters count too, but never override the body.
	for key, vals := range r.URL.Query() {
		if _, ok := p.values[key]; !ok {
			p.values[key] = vals[0]
		}
	}
	for key, vals := range r.PostForm {
		p.values[key] = vals[0]
	}
	return p, nil
}

func decodeJSONParams(body io.Reader, into map[string]string) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("can't read request body: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return errors.New("can't parse JSON object")
	}
	for key, raw := range fields {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			into[key] = s
		} else {
			into[key] = string(raw)
		}
	}
	return nil
}

func (p params) str(key string) string {
	return p.values[key]
}

func (p params) has(key string) bool {
	_, ok := p.values[key]
	return ok
}

// int returns an integer parameter, 0 when absent.
func (p params) int(key string) (int64, *apiError) {
	v, ok := p.values[key]
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, badRequest("invalid %s specified", key)
	}
	return n, nil
}

// bool reads a Boolean parameter the way the API does: "true" or "1" is true.
func (p params) bool(key string) bool {
	v := strings.ToLower(p.values[key])
	return v == "true" || v == "1"
}

// float returns a required floating-point parameter.
func (p params) float(key string) (float64, *apiError) {
	v, ok := p.values[key]
	if !ok || v == "" {
		return 0, badRequest("parameter %q is required", key)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return 0, badRequest("invalid %s specified", key)
	}
	return f, nil
}
