package web

import "strings"

// MailboxOf returns the mailbox of a web conversation ("web:<session>", as the engine
// names it), for a store that must erase it along with the conversation; "" for a
// conversation of another channel.
func MailboxOf(conversation string) string {
	sess, ok := strings.CutPrefix(conversation, "web:")
	if !ok || sess == "" {
		return ""
	}
	return mailboxID(sess)
}
