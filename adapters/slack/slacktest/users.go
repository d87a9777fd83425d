package slacktest

import (
	"cmp"
	"net/url"
	"strings"
)

// User is a member of the fake workspace, as users.info reports it.
type User struct {
	ID        string // required, e.g. "U0OPERATOR1"
	Name      string // the handle; defaults to the lower-cased first name
	RealName  string // defaults to FirstName and LastName
	FirstName string
	LastName  string
	TZ        string // defaults to Europe/Rome
	IsBot     bool
}

// AddUser makes users.info know u, replacing any user with the same ID.
func (s *Server) AddUser(u User) {
	if u.ID == "" {
		s.tb.Errorf("slacktest: AddUser: the user has no ID")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
	s.notifyLocked()
}

func (s *Server) usersInfo(p url.Values) (map[string]any, string) {
	u, ok := s.users[p.Get("user")]
	if !ok {
		return nil, "user_not_found"
	}
	realName := cmp.Or(u.RealName, strings.TrimSpace(u.FirstName+" "+u.LastName))
	name := s.userNameLocked(u.ID)
	return map[string]any{"user": map[string]any{
		"id": u.ID, "team_id": TeamID, "name": name, "real_name": realName,
		"tz": cmp.Or(u.TZ, "Europe/Rome"), "is_bot": u.IsBot, "deleted": false,
		"profile": map[string]any{
			"real_name": realName, "display_name": name, "first_name": u.FirstName,
			"last_name": u.LastName, "team": TeamID,
		},
	}}, ""
}

// userNameLocked returns the handle of user id: its Name, else its lower-cased first
// name or id.
func (s *Server) userNameLocked(id string) string {
	u := s.users[id]
	return cmp.Or(u.Name, strings.ToLower(u.FirstName), strings.ToLower(id))
}

func (s *Server) authTest(url.Values) (map[string]any, string) {
	return map[string]any{
		"url": "https://wemi-test.slack.com/", "team": TeamName, "user": BotName,
		"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID, "is_enterprise_install": false,
	}, ""
}
