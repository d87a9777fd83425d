package redistest

import (
	"testing"
	"time"
)

func TestParseUsage(t *testing.T) {
	var u Usage
	parseUsage("# Commandstats\r\ncmdstat_evalsha:calls=4,usec=9,usec_per_call=2.25\r\n"+
		"cmdstat_hset:calls=6,usec=3,usec_per_call=0.5\r\n", &u)
	parseUsage("# CPU\r\nused_cpu_sys:1.5\r\nused_cpu_user:0.25\r\nused_cpu_sys_children:9\r\n", &u)
	want := Usage{Commands: 10, Scripts: 4, CPU: 1750 * time.Millisecond, UserCPU: 250 * time.Millisecond,
		ScriptTime: 9 * time.Microsecond}
	if u != want {
		t.Fatalf("parsed %+v, want %+v", u, want)
	}
	earlier := Usage{Commands: 3, Scripts: 1, CPU: time.Second, UserCPU: 100 * time.Millisecond, ScriptTime: 2 * time.Microsecond}
	if got := want.Sub(earlier); got != (Usage{Commands: 5, Scripts: 3, CPU: 750 * time.Millisecond,
		UserCPU: 150 * time.Millisecond, ScriptTime: 7 * time.Microsecond}) {
		t.Fatalf("Sub gave %+v", got)
	}
}
