package slack

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/comune-milano/wemibot/domestic"
)

// The note modal: closing a request without a match, or not accepting an application,
// may tell the citizen why. Its callback_id is the button's action id.
const (
	blockNote  = "wemi.domestic.note"
	actionNote = "note"
)

// noteModal is what the note modal carries back in its private_metadata: which
// record, and where its card is.
type noteModal struct {
	ID   string `json:"i"`
	Card string `json:"c"`
}

// openNoteModal asks the operator for an optional note to the citizen, in a modal
// whose submission applies the step (see answerNoteModal). The card does not change
// yet, unless the step is no longer possible.
func (d *Desk) openNoteModal(ctx context.Context, f domesticFlow, s domesticStep, p CardPress) (CardResult, error) {
	rec, err := d.loadRecord(ctx, f, p.Ref)
	switch {
	case errors.Is(err, domestic.ErrNotFound):
		return d.domesticGone(ctx, f, p.Ref, p.Card)
	case err != nil:
		return CardResult{}, err
	case !f.can(rec.status, s.status):
		status, actions := d.domesticState(f, rec)
		return CardResult{Status: status, Actions: actions, Notice: d.text("domestic.changed")}, nil
	}
	meta, err := json.Marshal(noteModal{ID: p.Ref, Card: p.Card.String()})
	if err != nil {
		return CardResult{}, err
	}
	view := d.noteView(f, s, rec)
	view.PrivateMetadata = string(meta)
	err = d.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := d.api.OpenViewContext(ctx, p.TriggerID, view)
		return err
	})
	if err != nil {
		return CardResult{}, err
	}
	return CardResult{Unchanged: true}, nil
}

// noteView lays the note modal out: which record, then the note, which may be left
// empty.
func (d *Desk) noteView(f domesticFlow, s domesticStep, rec domesticRecord) slackapi.ModalViewRequest {
	plain := func(text string) *slackapi.TextBlockObject {
		return slackapi.NewTextBlockObject(slackapi.PlainTextType, text, false, false)
	}
	input := slackapi.NewPlainTextInputBlockElement(plain(d.text(f.noteEx)), actionNote)
	input.Multiline, input.MaxLength = true, domestic.MaxNote
	note := slackapi.NewInputBlock(blockNote, plain(d.text(f.noteLabel)), plain(d.text("domestic.note_hint")), input)
	note.Optional = true
	summary := slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, rec.summary, false, false), nil, nil)
	return slackapi.ModalViewRequest{Type: slackapi.VTModal, CallbackID: actionID(f.kind, s.verb),
		Title: plain(d.text(f.noteTitle)), Submit: plain(d.text(f.noteSubmit)), Close: plain(d.text("domestic.note_close")),
		Blocks: slackapi.Blocks{BlockSet: []slackapi.Block{summary, note}}}
}

// answerNoteModal checks the note modal's submission at once, since Slack wants the
// answer in the acknowledgement: nil closes the modal, and the step is queued; an
// error keeps it open. A submission that is no note modal's is ignored.
func (d *Desk) answerNoteModal(ctx context.Context, e Engine, cb slackapi.InteractionCallback, kind, verb string) *slackapi.ViewSubmissionResponse {
	f, _ := flowOf(kind)
	s, ok := f.step(verb)
	var meta noteModal
	if !ok || !s.note || json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta) != nil || !domestic.ValidID(meta.ID) {
		return nil
	}
	channel, ts, ok := splitThread(meta.Card)
	if !ok || channel != d.channel {
		return nil
	}
	var note string
	if cb.View.State != nil {
		note = strings.TrimSpace(cb.View.State.Values[blockNote][actionNote].Value)
	}
	if utf8.RuneCountInString(note) > domestic.MaxNote {
		return invalid(blockNote, d.text("domestic.note_too_long", "max", strconv.Itoa(domestic.MaxNote)))
	}
	card := MessageRef{Channel: channel, TS: ts}
	err := d.work.submit(ctx, domesticKey(meta.ID), func(ctx context.Context) {
		if cb.View.ID != "" && !d.first(ctx, "slack-view:"+cb.View.ID) {
			return
		}
		d.onNoteModal(ctx, e, cb.User, card, f, s, meta.ID, note)
	})
	if err != nil {
		d.log.WarnContext(ctx, "slack: modal submission not taken", "err", err)
		return invalid(blockNote, d.text("card.error"))
	}
	return nil
}

// onNoteModal applies a step submitted with its note, updates the card and tells the
// operator what they must know.
func (d *Desk) onNoteModal(ctx context.Context, e Engine, user slackapi.User, card MessageRef, f domesticFlow, s domesticStep, id, note string) {
	notice := func(text string) { d.tell(ctx, card.Channel, "", user.ID, "", text) }
	res, err := d.applyStep(ctx, e, f, s, id, d.operatorName(ctx, user.ID, user.Name), note, card)
	if err != nil {
		d.log.WarnContext(ctx, "slack: domestic-work step failed", "kind", f.kind, "verb", s.verb, "err", err)
		notice(d.text("card.error"))
		return
	}
	if !res.Unchanged {
		if err := d.UpdateCard(ctx, card, f.kind, id, res.Status, res.Actions); err != nil {
			d.log.WarnContext(ctx, "slack: update card failed", "kind", f.kind, "err", err)
		}
	}
	if res.Notice != "" {
		notice(res.Notice)
	}
}
