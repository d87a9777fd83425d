package slacktest

// Pongs returns how many websocket pongs the Socket Mode clients sent, for the test
// that checks the fake pings often enough.
func (s *Server) Pongs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pongs
}
