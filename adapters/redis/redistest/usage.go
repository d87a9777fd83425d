package redistest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Usage is how much work a server has done since it started: the commands it ran
// (those inside scripts included, as INFO commandstats counts them) and the CPU time
// it used. Benchmarks subtract two readings to get the work per operation.
type Usage struct {
	Commands int64         // commands run, scripts' own commands included
	Scripts  int64         // EVAL and EVALSHA calls among them
	CPU      time.Duration // user and system CPU of the server process
	// UserCPU is the user part of CPU: the commands' and scripts' own work, while the
	// system part is mostly the sockets' (a fixed cost per round trip).
	UserCPU time.Duration
	// ScriptTime is the time the server spent running EVAL and EVALSHA calls, their
	// commands included, sockets excluded: the scripts' own cost.
	ScriptTime time.Duration
}

// Sub returns the work done between an earlier reading and u, less the INFO
// commands the two readings themselves cost.
func (u Usage) Sub(earlier Usage) Usage {
	return Usage{Commands: u.Commands - earlier.Commands - 2, Scripts: u.Scripts - earlier.Scripts,
		CPU: u.CPU - earlier.CPU, UserCPU: u.UserCPU - earlier.UserCPU, ScriptTime: u.ScriptTime - earlier.ScriptTime}
}

// Usage reads the server's work so far with INFO commandstats and INFO cpu.
func (s *Server) Usage() Usage {
	s.tb.Helper()
	u, err := readUsage(s.socket)
	if err != nil {
		s.tb.Fatalf("redistest: usage: %v", err)
	}
	return u
}

func readUsage(socket string) (Usage, error) {
	conn, err := net.DialTimeout("unix", socket, time.Second)
	if err != nil {
		return Usage{}, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return Usage{}, err
	}
	var u Usage
	r := bufio.NewReader(conn)
	for _, section := range []string{"commandstats", "cpu"} {
		if _, err := fmt.Fprintf(conn, "INFO %s\r\n", section); err != nil {
			return Usage{}, err
		}
		text, err := readBulk(r)
		if err != nil {
			return Usage{}, err
		}
		parseUsage(text, &u)
	}
	return u, nil
}

// readBulk reads one RESP bulk string reply.
func readBulk(r *bufio.Reader) (string, error) {
	head, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(head, "$") {
		return "", fmt.Errorf("unexpected reply %q", strings.TrimSpace(head))
	}
	n, err := strconv.Atoi(strings.TrimSpace(head[1:]))
	if err != nil {
		return "", err
	}
	buf := make([]byte, n+2)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// parseUsage adds what one INFO section says to u: "cmdstat_set:calls=3,usec=..."
// lines and "used_cpu_sys:0.5" lines.
func parseUsage(text string, u *Usage) {
	for _, line := range strings.Split(text, "\r\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(name, "cmdstat_"):
			fields := strings.Split(value, ",")
			calls, _ := strconv.ParseInt(strings.TrimPrefix(fields[0], "calls="), 10, 64)
			u.Commands += calls
			if name == "cmdstat_eval" || name == "cmdstat_evalsha" {
				u.Scripts += calls
				if len(fields) > 1 {
					usec, _ := strconv.ParseInt(strings.TrimPrefix(fields[1], "usec="), 10, 64)
					u.ScriptTime += time.Duration(usec) * time.Microsecond
				}
			}
		case name == "used_cpu_sys" || name == "used_cpu_user":
			secs, _ := strconv.ParseFloat(value, 64)
			u.CPU += time.Duration(secs * float64(time.Second))
			if name == "used_cpu_user" {
				u.UserCPU += time.Duration(secs * float64(time.Second))
			}
		}
	}
}
