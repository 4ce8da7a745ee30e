package agents

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// The machine these benchmarks run on is small (two cores in CI) and often shared, so
// throughput and latency move with whatever else runs. CPU time spent per operation does not:
// the benchmarks report it for this process, its private Postgres cluster and the swarm, and
// what it implies for a machine given over to the work.

// cpuUsage is CPU time (user + system) consumed so far.
type cpuUsage struct {
	self, postgres, child time.Duration
	pgKnown               bool // the Postgres cluster is this process's child (pgtest's private one)
}

// clockTick is the unit of /proc/<pid>/stat times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// procStat reads a process's parent and CPU time from /proc.
func procStat(pid int) (ppid int, comm string, cpu time.Duration, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", 0, false
	}
	s := string(b)
	l, r := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if l < 0 || r < l || r+2 > len(s) {
		return 0, "", 0, false
	}
	f := strings.Fields(s[r+2:]) // from field 3 (state) on
	if len(f) < 13 {
		return 0, "", 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return ppid, s[l+1 : r], time.Duration(utime+stime) * clockTick, true
}

// readCPU samples this process, the Postgres cluster it started (postmaster and backends) and,
// if childPID is not 0, that child process.
func readCPU(childPID int) cpuUsage {
	var u cpuUsage
	self := os.Getpid()
	_, _, u.self, _ = procStat(self)
	if childPID != 0 {
		_, _, u.child, _ = procStat(childPID)
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return u
	}
	type proc struct {
		ppid int
		cpu  time.Duration
	}
	pg := map[int]proc{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, comm, cpu, ok := procStat(pid); ok && comm == "postgres" {
			pg[pid] = proc{ppid, cpu}
		}
	}
	for pid, p := range pg {
		if p.ppid != self {
			continue
		}
		u.pgKnown = true
		u.postgres += p.cpu
		for _, c := range pg {
			if c.ppid == pid {
				u.postgres += c.cpu
			}
		}
	}
	return u
}

func (u cpuUsage) sub(v cpuUsage) cpuUsage {
	return cpuUsage{self: u.self - v.self, postgres: u.postgres - v.postgres, child: u.child - v.child, pgKnown: u.pgKnown && v.pgKnown}
}

func (u cpuUsage) total() time.Duration { return u.self + u.postgres + u.child }
