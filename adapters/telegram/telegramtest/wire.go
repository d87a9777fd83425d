package telegramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// The types below are the JSON objects of the Bot API reference
// (https://core.telegram.org/bots/api#available-types), limited to the fields the fake
// fills. They are written from the reference rather than borrowed from tgbotapi so that
// a client decoding them proves it follows the API, not its own structs.

type apiUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// apiBotUser is what getMe answers: a User with the fields only bots have.
type apiBotUser struct {
	apiUser
	CanJoinGroups           bool `json:"can_join_groups"`
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
	SupportsInlineQueries   bool `json:"supports_inline_queries"`
}

type apiChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

type apiEntity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

type apiLocation struct {
	Longitude float64 `json:"longitude"`
	Latitude  float64 `json:"latitude"`
}

type apiPhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type apiSticker struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Type         string `json:"type"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	IsAnimated   bool   `json:"is_animated"`
	IsVideo      bool   `json:"is_video"`
	Emoji        string `json:"emoji,omitempty"`
}

type apiVoice struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Duration     int    `json:"duration"`
	MimeType     string `json:"mime_type,omitempty"`
}

type apiDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type apiMessage struct {
	MessageID   int             `json:"message_id"`
	From        *apiUser        `json:"from,omitempty"`
	Date        int64           `json:"date"`
	Chat        apiChat         `json:"chat"`
	EditDate    int64           `json:"edit_date,omitempty"`
	Text        string          `json:"text,omitempty"`
	Entities    []apiEntity     `json:"entities,omitempty"`
	Caption     string          `json:"caption,omitempty"`
	Location    *apiLocation    `json:"location,omitempty"`
	Sticker     *apiSticker     `json:"sticker,omitempty"`
	Photo       []apiPhotoSize  `json:"photo,omitempty"`
	Voice       *apiVoice       `json:"voice,omitempty"`
	Document    *apiDocument    `json:"document,omitempty"`
	ReplyMarkup json.RawMessage `json:"reply_markup,omitempty"`
	// Invoice and SuccessfulPayment: see payments.go.
	Invoice           *apiInvoice           `json:"invoice,omitempty"`
	SuccessfulPayment *apiSuccessfulPayment `json:"successful_payment,omitempty"`
}

type apiCallbackQuery struct {
	ID           string      `json:"id"`
	From         apiUser     `json:"from"`
	Message      *apiMessage `json:"message,omitempty"`
	ChatInstance string      `json:"chat_instance"`
	Data         string      `json:"data,omitempty"`
}

type apiUpdate struct {
	UpdateID         int                  `json:"update_id"`
	Message          *apiMessage          `json:"message,omitempty"`
	CallbackQuery    *apiCallbackQuery    `json:"callback_query,omitempty"`
	PreCheckoutQuery *apiPreCheckoutQuery `json:"pre_checkout_query,omitempty"`
}

type apiBotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

type apiWebhookInfo struct {
	URL                  string   `json:"url"`
	HasCustomCertificate bool     `json:"has_custom_certificate"`
	PendingUpdateCount   int      `json:"pending_update_count"`
	MaxConnections       int      `json:"max_connections,omitempty"`
	AllowedUpdates       []string `json:"allowed_updates,omitempty"`
}

// apiError is a refusal as the Bot API words it: the HTTP status equals Code and the
// body is {"ok":false,"error_code":Code,"description":...}.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int // sent as parameters.retry_after when positive
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{Code: http.StatusBadRequest, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

var (
	errNotFound     = &apiError{Code: http.StatusNotFound, Description: "Not Found"}
	errUnauthorized = &apiError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
	errBlocked      = &apiError{Code: http.StatusForbidden, Description: "Forbidden: bot was blocked by the user"}
	errChatNotFound = &apiError{Code: http.StatusBadRequest, Description: "Bad Request: chat not found"}
	errPollConflict = &apiError{Code: http.StatusConflict,
		Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	errWebhookActive = &apiError{Code: http.StatusConflict,
		Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
)

type apiResponseParameters struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

type apiErrorResponse struct {
	OK          bool                   `json:"ok"`
	ErrorCode   int                    `json:"error_code"`
	Description string                 `json:"description"`
	Parameters  *apiResponseParameters `json:"parameters,omitempty"`
}

type apiOKResponse struct {
	OK     bool `json:"ok"`
	Result any  `json:"result"`
}

func writeResult(w http.ResponseWriter, result any) {
	writeJSON(w, http.StatusOK, apiOKResponse{OK: true, Result: result})
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := apiErrorResponse{ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter > 0 {
		body.Parameters = &apiResponseParameters{RetryAfter: e.RetryAfter}
	}
	writeJSON(w, e.Code, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		status, data = http.StatusInternalServerError,
			[]byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
