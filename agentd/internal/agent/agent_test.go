package agent

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

type harness struct {
	srv   *fakeServer
	rt    *fakeRuntime
	dir   string
	id    *Identity
	agent *Agent
	stop  context.CancelFunc
	done  chan struct{} // closed when Run returns, with its error in err
	err   error
}

// newHarness enrolls against a fresh fake server, then runs an agent with fast backoff.
func newHarness(t *testing.T, mod func(*Config)) *harness {
	t.Helper()
	pki := newPKI(t)
	srv := startServer(t, pki)
	dir := t.TempDir()
	id, err := Enroll(context.Background(), EnrollConfig{ServerAddr: srv.addr, StateDir: dir, Token: srv.token, Version: "1.0.0-test", Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Enroll: %v", err)
	}
	h := &harness{srv: srv, rt: newFakeRuntime(), dir: dir, id: id}
	h.start(t, mod)
	return h
}

func (h *harness) start(t *testing.T, mod func(*Config)) {
	t.Helper()
	cfg := Config{
		ServerAddr: h.srv.addr, Version: "1.0.0-test", Logger: testLogger(t),
		BackoffBase: 20 * time.Millisecond, BackoffCap: 200 * time.Millisecond, HealthyAfter: 100 * time.Millisecond,
		ReportDebounce: 10 * time.Millisecond, ShutdownGrace: time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	h.agent = New(cfg, h.id, h.rt)
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	done := make(chan struct{})
	h.done = done
	a := h.agent
	go func() { h.err = a.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("agent did not stop")
		}
	})
}

// connect waits for the agent's stream and welcomes it.
func (h *harness) connect(t *testing.T, mod func(*agentpb.Welcome)) *fakeStream {
	t.Helper()
	fs := h.srv.nextStream(t, 5*time.Second)
	if fs.hello(t) == nil {
		t.Fatal("first message was not Hello")
	}
	fs.welcome(t, mod)
	return fs
}

func TestEnrollRefusesWrongPin(t *testing.T) {
	pki := newPKI(t)
	srv := startServer(t, pki)
	other := newPKI(t) // a CA the server does not use
	dir := t.TempDir()
	_, err := Enroll(context.Background(), EnrollConfig{ServerAddr: srv.addr, StateDir: dir, Token: "hde_s3cret." + other.pin(), Version: "1"})
	if !errors.Is(err, ErrPinMismatch) {
		t.Fatalf("Enroll with a wrong pin: %v, want ErrPinMismatch", err)
	}
	if n := srv.enrollCount(); n != 0 {
		t.Fatalf("the token reached the server %d times", n)
	}
	if _, err := LoadIdentity(dir); !errors.Is(err, ErrNotEnrolled) {
		t.Fatalf("LoadIdentity after a refused enrollment: %v", err)
	}
	// A malformed token is refused before dialing.
	for _, bad := range []string{"", "s3cret." + pki.pin(), "hde_." + pki.pin(), "hde_s3cret." + pki.pin()[:63], "hde_s3cret." + strings.Repeat("zz", 32)} {
		if _, err := Enroll(context.Background(), EnrollConfig{ServerAddr: srv.addr, StateDir: t.TempDir(), Token: bad, Version: "1"}); !errors.Is(err, ErrMalformedToken) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	// A server name the certificate does not cover fails the pinned check too.
	if _, err := Enroll(context.Background(), EnrollConfig{ServerAddr: srv.addr, ServerName: "evil.example", StateDir: t.TempDir(), Token: srv.token, Version: "1"}); !errors.Is(err, ErrPinMismatch) {
		t.Fatalf("Enroll with the wrong server name: %v", err)
	}
	if _, err := Enroll(context.Background(), EnrollConfig{ServerAddr: srv.addr, StateDir: t.TempDir(), Token: "hde_wrong." + pki.pin(), Version: "1"}); err == nil || errors.Is(err, ErrPinMismatch) {
		t.Fatalf("Enroll with an unknown token: %v, want the server's refusal", err)
	}
}

func TestEnrollSavesIdentityAndChecksInWithMTLS(t *testing.T) {
	h := newHarness(t, nil)
	req := h.srv.enrolls[0]
	if req.GetRole() != agentpb.AgentRole_AGENT_ROLE_AGENT || req.GetVersion() != "1.0.0-test" || req.GetHostname() == "" || req.GetRequestId() == "" || !strings.Contains(req.GetCsrPem(), "CERTIFICATE REQUEST") {
		t.Errorf("enroll request %v", req)
	}
	if h.id.AgentID != h.srv.agentID {
		t.Errorf("agent id %q, want %q", h.id.AgentID, h.srv.agentID)
	}
	for _, f := range []string{fileAgent, fileKey, fileCert, fileCA} {
		fi, err := os.Stat(filepath.Join(h.dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	for _, f := range []string{filePending, filePendKey} {
		if _, err := os.Stat(filepath.Join(h.dir, f)); err == nil {
			t.Errorf("%s left behind", f)
		}
	}

	fs := h.srv.nextStream(t, 5*time.Second)
	if fs.peerCN != h.srv.agentID {
		t.Errorf("stream's client certificate names %q", fs.peerCN)
	}
	hello := fs.hello(t)
	if hello.GetAgentId() != h.srv.agentID || hello.GetVersion() != "1.0.0-test" || hello.GetInstanceId() != h.agent.InstanceID() {
		t.Errorf("hello %v", hello)
	}
	if _, err := uuid.Parse(hello.GetInstanceId()); err != nil {
		t.Errorf("instance id %q", hello.GetInstanceId())
	}
	caps := hello.GetCapabilities()
	if len(caps) < 2 || caps[0] != agentpb.Capability_CAPABILITY_SESSION_CONTAINERS || caps[1] != agentpb.Capability_CAPABILITY_CPU_QUOTA {
		t.Errorf("capabilities %v", caps)
	}
	fs.welcome(t, nil)
	rep := fs.next(t, 5*time.Second, "first resource report", isReport).GetResourceReport()
	if rep.GetHostname() != "fakehost" || rep.GetCores() != 8 || rep.GetDockerVersion() != "20.10.24" || len(rep.GetImages()) != 1 || rep.GetReportTime() == nil {
		t.Errorf("report %v", rep)
	}

	// A later run loads the identity (no token) and is a new instance.
	h.stop()
	<-h.done
	id2, err := LoadIdentity(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	h.id = id2
	first := h.agent.InstanceID()
	h.start(t, nil)
	hello2 := h.srv.nextStream(t, 5*time.Second).hello(t)
	if hello2.GetAgentId() != h.srv.agentID || hello2.GetInstanceId() == first {
		t.Errorf("restarted hello %v (previous instance %s)", hello2, first)
	}
	if h.srv.enrollCount() != 1 {
		t.Errorf("enrolled %d times", h.srv.enrollCount())
	}
}

func TestCommandAckedBeforeResultAndDuplicatesNotReExecuted(t *testing.T) {
	h := newHarness(t, nil)
	gate := make(chan struct{})
	h.rt.gate = gate
	fs := h.connect(t, nil)
	sid := uuid.NewString()

	fs.command(t, createCommand(7, sid))
	ack := fs.next(t, 5*time.Second, "ack 7", func(m *agentpb.CheckInRequest) bool {
		if m.GetCommandResult() != nil {
			t.Fatalf("result before ack: %v", m)
		}
		return isAck(7)(m)
	}).GetCommandAck()
	if ack.GetDuplicate() || ack.GetReceiveTime() == nil {
		t.Fatalf("first ack %v", ack)
	}
	// Redelivered while running: acked as duplicate, no second execution, no result yet.
	fs.command(t, createCommand(7, sid))
	if a := fs.next(t, 5*time.Second, "duplicate ack", isAck(7)).GetCommandAck(); !a.GetDuplicate() {
		t.Fatalf("second ack %v", a)
	}
	for _, m := range fs.collect(200 * time.Millisecond) {
		if m.GetCommandResult() != nil {
			t.Fatalf("result while the create is still blocked: %v", m)
		}
	}
	close(gate)
	res := fs.next(t, 5*time.Second, "result 7", isResult(7)).GetCommandResult()
	cr := res.GetCreateSessionContainer()
	if cr == nil || len(cr.GetContainerId()) != 64 || cr.GetHostPort() == 0 || cr.GetAlreadyExisted() {
		t.Fatalf("result %v", res)
	}
	// Only one result for the two deliveries.
	for _, m := range fs.collect(200 * time.Millisecond) {
		if isResult(7)(m) {
			t.Fatalf("second result while the first execution's result was the answer: %v", m)
		}
	}
	// Redelivered after it finished: duplicate ack, then the same result again.
	fs.command(t, createCommand(7, sid))
	var sawAck bool
	again := fs.next(t, 5*time.Second, "repeated result", func(m *agentpb.CheckInRequest) bool {
		if isAck(7)(m) {
			sawAck = m.GetCommandAck().GetDuplicate()
		}
		return isResult(7)(m)
	}).GetCommandResult()
	if !sawAck {
		t.Fatal("no duplicate ack before the repeated result")
	}
	if !proto.Equal(again, res) {
		t.Fatalf("repeated result %v, first %v", again, res)
	}
	if n := h.rt.creates.Load(); n != 1 {
		t.Fatalf("runtime created %d times", n)
	}
}

func TestResultsResentAfterReconnect(t *testing.T) {
	h := newHarness(t, nil)
	fs := h.connect(t, nil)
	fs.command(t, createCommand(5, uuid.NewString()))
	first := fs.next(t, 5*time.Second, "result 5", isResult(5)).GetCommandResult()
	fs.close(errors.New("replica lost"))

	// The server recorded no ack above 4: the agent resends result 5 on the new stream.
	fs2 := h.connect(t, func(w *agentpb.Welcome) { w.LastAckedCommandSequence = 4 })
	again := fs2.next(t, 5*time.Second, "resent result 5", isResult(5)).GetCommandResult()
	if !proto.Equal(first, again) {
		t.Fatalf("resent %v, first %v", again, first)
	}
	fs2.close(errors.New("again"))
	// With 5 acked it does not.
	fs3 := h.connect(t, func(w *agentpb.Welcome) { w.LastAckedCommandSequence = 5 })
	for _, m := range fs3.collect(300 * time.Millisecond) {
		if m.GetCommandResult() != nil {
			t.Fatalf("unexpected result %v", m)
		}
	}
}

func TestReconnectsWithBackoffAfterServerDropsStream(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.BackoffBase = 50 * time.Millisecond; c.BackoffCap = 150 * time.Millisecond })
	var instance string
	var times []time.Time
	// Drop the stream before Welcome six times: each retry comes within the cap.
	for i := 0; i < 6; i++ {
		fs := h.srv.nextStream(t, 5*time.Second)
		hello := fs.hello(t)
		times = append(times, fs.opened)
		if instance == "" {
			instance = hello.GetInstanceId()
		} else if hello.GetInstanceId() != instance {
			t.Fatalf("instance id changed on reconnect: %s -> %s", instance, hello.GetInstanceId())
		}
		fs.close(errors.New("dropped"))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap > 150*time.Millisecond+500*time.Millisecond {
			t.Errorf("reconnect %d took %v, cap is 150ms", i, gap)
		}
	}
	// After Welcome the stream works; dropping it brings a new Hello and a fresh report.
	fs := h.connect(t, nil)
	fs.next(t, 5*time.Second, "report", isReport)
	fs.close(errors.New("dropped after welcome"))
	fs = h.connect(t, nil)
	fs.next(t, 5*time.Second, "report after reconnect", isReport)
}

func TestBackoffIsExponentialWithFullJitter(t *testing.T) {
	b := backoff{base: 500 * time.Millisecond, cap: 30 * time.Second}
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if c := b.ceiling(i); c != w {
			t.Errorf("ceiling(%d) = %v, want %v", i, c, w)
		}
		var sum time.Duration
		for j := 0; j < 200; j++ {
			d := b.delay(i)
			if d < 0 || d >= w {
				t.Fatalf("delay(%d) = %v outside [0, %v)", i, d, w)
			}
			sum += d
		}
		if avg := sum / 200; avg < w/4 || avg > w*3/4 {
			t.Errorf("delay(%d) averages %v; full jitter over [0, %v) should average about half", i, avg, w)
		}
	}
	for i := 0; i < 100; i++ {
		if d := jittered(time.Second, 0.2); d < 800*time.Millisecond || d > 1200*time.Millisecond {
			t.Fatalf("jittered = %v", d)
		}
	}
}

func TestHeartbeatsArrive(t *testing.T) {
	h := newHarness(t, nil)
	fs := h.connect(t, func(w *agentpb.Welcome) {
		w.HeartbeatInterval = durationpb.New(100 * time.Millisecond)
		w.HeartbeatJitter = 0.2
	})
	start := time.Now()
	var prev time.Time
	for want := uint64(1); want <= 4; want++ {
		hb := fs.next(t, 2*time.Second, "heartbeat", isHeartbeat).GetHeartbeat()
		now := time.Now()
		if hb.GetSequence() != want || hb.GetAgentTime() == nil {
			t.Fatalf("heartbeat %v, want sequence %d", hb, want)
		}
		if !prev.IsZero() && now.Sub(prev) < 50*time.Millisecond {
			t.Errorf("heartbeats %v apart, interval is 100ms ± 20%%", now.Sub(prev))
		}
		prev = now
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("4 heartbeats took %v", el)
	}
	// Sequences restart at 1 on a new stream.
	fs.close(errors.New("drop"))
	fs = h.connect(t, func(w *agentpb.Welcome) { w.HeartbeatInterval = durationpb.New(50 * time.Millisecond) })
	if hb := fs.next(t, 2*time.Second, "heartbeat", isHeartbeat).GetHeartbeat(); hb.GetSequence() != 1 {
		t.Errorf("first heartbeat of a new stream has sequence %d", hb.GetSequence())
	}
}

func TestDrainingRefusesCreates(t *testing.T) {
	h := newHarness(t, nil)
	h.rt.add(uuid.NewString())
	fs := h.connect(t, func(w *agentpb.Welcome) { w.Draining = true })

	fs.command(t, createCommand(1, uuid.NewString()))
	if e := fs.next(t, 5*time.Second, "result 1", isResult(1)).GetCommandResult().GetError(); e.GetCode() != agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DRAINING {
		t.Fatalf("create while drained by Welcome: %v", e)
	}
	fs.command(t, &agentpb.Command{Sequence: 2, Action: &agentpb.Command_Drain{Drain: &agentpb.Drain{Cancel: true}}})
	if d := fs.next(t, 5*time.Second, "result 2", isResult(2)).GetCommandResult().GetDrain(); d == nil || d.GetRunningSessionContainers() != 1 {
		t.Fatalf("drain cancel result %v", d)
	}
	fs.command(t, createCommand(3, uuid.NewString()))
	if r := fs.next(t, 5*time.Second, "result 3", isResult(3)).GetCommandResult(); r.GetCreateSessionContainer() == nil {
		t.Fatalf("create after drain cancel: %v", r)
	}
	// A Drain and a create right behind it: the create is refused, existing sessions stay.
	fs.command(t, &agentpb.Command{Sequence: 4, Action: &agentpb.Command_Drain{Drain: &agentpb.Drain{Reason: "retiring"}}})
	fs.command(t, createCommand(5, uuid.NewString()))
	rs := fs.results(t, 4, 5)
	if d := rs[4].GetDrain(); d.GetRunningSessionContainers() != 2 {
		t.Fatalf("drain result %v", rs[4])
	}
	if e := rs[5].GetError(); e.GetCode() != agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DRAINING {
		t.Fatalf("create after drain: %v", rs[5])
	}
	if h.rt.destroys.Load() != 0 || h.rt.creates.Load() != 1 {
		t.Fatalf("creates %d destroys %d", h.rt.creates.Load(), h.rt.destroys.Load())
	}
}

func TestReconcileRemovesOrphansAndReportsMissing(t *testing.T) {
	h := newHarness(t, nil)
	kept, orphan, missing := uuid.NewString(), uuid.NewString(), uuid.NewString()
	h.rt.add(kept)
	oc := h.rt.add(orphan)
	fs := h.connect(t, nil)
	fs.next(t, 5*time.Second, "report", isReport)

	fs.command(t, &agentpb.Command{Sequence: 10, Action: &agentpb.Command_Reconcile{Reconcile: &agentpb.Reconcile{SessionIds: []string{kept, missing}}}})
	rr := fs.next(t, 5*time.Second, "reconcile result", isResult(10)).GetCommandResult().GetReconcile()
	if len(rr.GetRemoved()) != 1 || rr.GetRemoved()[0].GetSessionId() != orphan || rr.GetRemoved()[0].GetContainerId() != oc.ID {
		t.Errorf("removed %v", rr.GetRemoved())
	}
	if len(rr.GetMissingSessionIds()) != 1 || rr.GetMissingSessionIds()[0] != missing {
		t.Errorf("missing %v", rr.GetMissingSessionIds())
	}
	if !h.rt.has(kept) || h.rt.has(orphan) {
		t.Errorf("kept present %v, orphan present %v", h.rt.has(kept), h.rt.has(orphan))
	}
	// A report follows the removal.
	rep := fs.next(t, 5*time.Second, "report after reconcile", isReport).GetResourceReport()
	if len(rep.GetSessionContainers()) != 1 || rep.GetSessionContainers()[0].GetSessionId() != kept {
		t.Errorf("report containers %v", rep.GetSessionContainers())
	}
}

func TestReconcileWaitsForLowerCommandsAndSparesHigherCreates(t *testing.T) {
	h := newHarness(t, nil)
	gate := make(chan struct{})
	h.rt.gate = gate
	fs := h.connect(t, nil)
	lower, higher := uuid.NewString(), uuid.NewString()
	fs.command(t, createCommand(1, lower))
	fs.next(t, 5*time.Second, "ack 1", isAck(1))
	fs.command(t, &agentpb.Command{Sequence: 2, Action: &agentpb.Command_Reconcile{Reconcile: &agentpb.Reconcile{SessionIds: []string{lower}}}})
	fs.command(t, createCommand(3, higher))
	fs.next(t, 5*time.Second, "ack 3", isAck(3))
	for _, m := range fs.collect(200 * time.Millisecond) {
		if isResult(2)(m) {
			t.Fatal("reconcile finished before the lower create")
		}
	}
	close(gate)
	rs := fs.results(t, 1, 2, 3)
	rr := rs[2].GetReconcile()
	if rr == nil || len(rr.GetRemoved()) != 0 || len(rr.GetMissingSessionIds()) != 0 {
		t.Fatalf("reconcile %v: the lower create's container is known, the higher one's is spared", rs[2])
	}
	if !h.rt.has(lower) || !h.rt.has(higher) {
		t.Fatal("a container was removed")
	}
}

func TestCommandDeadlinesUseServerClock(t *testing.T) {
	h := newHarness(t, nil)
	// The server's clock runs an hour behind the agent's.
	fs := h.connect(t, func(w *agentpb.Welcome) { w.ServerTime = timestamppb.New(time.Now().Add(-time.Hour)) })
	serverNow := time.Now().Add(-time.Hour)

	c := createCommand(1, uuid.NewString())
	c.Deadline = timestamppb.New(serverNow.Add(time.Minute)) // in the past on the agent's clock, not the server's
	fs.command(t, c)
	if r := fs.next(t, 5*time.Second, "result 1", isResult(1)).GetCommandResult(); r.GetCreateSessionContainer() == nil {
		t.Fatalf("command within its server-time deadline failed: %v", r)
	}
	c = createCommand(2, uuid.NewString())
	c.Deadline = timestamppb.New(serverNow.Add(-time.Second))
	fs.command(t, c)
	if e := fs.next(t, 5*time.Second, "result 2", isResult(2)).GetCommandResult().GetError(); e.GetCode() != agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DEADLINE_EXCEEDED {
		t.Fatalf("expired command: %v", e)
	}
	if h.rt.creates.Load() != 1 {
		t.Fatalf("expired command reached the runtime")
	}
	// A command of a kind this agent does not know.
	fs.command(t, &agentpb.Command{Sequence: 3})
	if e := fs.next(t, 5*time.Second, "result 3", isResult(3)).GetCommandResult().GetError(); e.GetCode() != agentpb.CommandErrorCode_COMMAND_ERROR_CODE_UNIMPLEMENTED {
		t.Fatalf("unknown command: %v", e)
	}
}

func TestCreateAndDestroyTriggerReports(t *testing.T) {
	h := newHarness(t, nil)
	fs := h.connect(t, nil)
	fs.next(t, 5*time.Second, "initial report", isReport)
	sid := uuid.NewString()
	fs.command(t, createCommand(1, sid))
	res := fs.next(t, 5*time.Second, "result 1", isResult(1)).GetCommandResult().GetCreateSessionContainer()
	rep := fs.next(t, 5*time.Second, "report after create", isReport).GetResourceReport()
	if len(rep.GetSessionContainers()) != 1 || rep.GetSessionContainers()[0].GetContainerId() != res.GetContainerId() || rep.GetSessionContainers()[0].GetHostPort() != res.GetHostPort() {
		t.Fatalf("report %v after create %v", rep.GetSessionContainers(), res)
	}
	fs.command(t, &agentpb.Command{Sequence: 2, Action: &agentpb.Command_DestroySessionContainer{DestroySessionContainer: &agentpb.DestroySessionContainer{SessionId: sid, StopTimeout: durationpb.New(time.Second)}}})
	if d := fs.next(t, 5*time.Second, "result 2", isResult(2)).GetCommandResult().GetDestroySessionContainer(); d == nil || d.GetAlreadyAbsent() {
		t.Fatalf("destroy result %v", d)
	}
	if rep := fs.next(t, 5*time.Second, "report after destroy", isReport).GetResourceReport(); len(rep.GetSessionContainers()) != 0 {
		t.Fatalf("report after destroy %v", rep.GetSessionContainers())
	}
	fs.command(t, &agentpb.Command{Sequence: 3, Action: &agentpb.Command_DestroySessionContainer{DestroySessionContainer: &agentpb.DestroySessionContainer{SessionId: sid}}})
	if d := fs.next(t, 5*time.Second, "result 3", isResult(3)).GetCommandResult().GetDestroySessionContainer(); !d.GetAlreadyAbsent() {
		t.Fatalf("second destroy %v", d)
	}
}

func TestGoodbye(t *testing.T) {
	t.Run("replaced waits reconnect_after", func(t *testing.T) {
		h := newHarness(t, nil)
		fs := h.connect(t, nil)
		sent := time.Now()
		fs.send(t, &agentpb.CheckInResponse{Msg: &agentpb.CheckInResponse_Goodbye{Goodbye: &agentpb.Goodbye{
			Reason: agentpb.GoodbyeReason_GOODBYE_REASON_REPLACED, ReconnectAfter: durationpb.New(400 * time.Millisecond),
		}}})
		fs.close(nil)
		h.srv.nextStream(t, 5*time.Second)
		if el := time.Since(sent); el < 400*time.Millisecond {
			t.Fatalf("reconnected after %v, reconnect_after was 400ms", el)
		}
	})
	t.Run("server shutdown reconnects at once", func(t *testing.T) {
		h := newHarness(t, func(c *Config) { c.BackoffBase = 5 * time.Second; c.BackoffCap = 5 * time.Second })
		fs := h.connect(t, nil)
		fs.send(t, &agentpb.CheckInResponse{Msg: &agentpb.CheckInResponse_Goodbye{Goodbye: &agentpb.Goodbye{Reason: agentpb.GoodbyeReason_GOODBYE_REASON_SERVER_SHUTDOWN}}})
		fs.close(nil)
		h.srv.nextStream(t, time.Second)
	})
	t.Run("agent deleted stops the loop", func(t *testing.T) {
		h := newHarness(t, nil)
		h.rt.add(uuid.NewString())
		fs := h.connect(t, nil)
		fs.send(t, &agentpb.CheckInResponse{Msg: &agentpb.CheckInResponse_Goodbye{Goodbye: &agentpb.Goodbye{Reason: agentpb.GoodbyeReason_GOODBYE_REASON_AGENT_DELETED}}})
		fs.close(nil)
		select {
		case <-h.done:
			if !errors.Is(h.err, ErrAgentDeleted) {
				t.Fatalf("Run returned %v", h.err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return")
		}
		if h.rt.destroys.Load() != 0 {
			t.Fatal("containers were touched")
		}
	})
}

func TestStopLeavesContainersRunning(t *testing.T) {
	h := newHarness(t, nil)
	sid := uuid.NewString()
	h.rt.add(sid)
	fs := h.connect(t, nil)
	fs.next(t, 5*time.Second, "report", isReport)
	h.stop()
	select {
	case <-h.done:
		if h.err != nil {
			t.Fatalf("Run returned %v on stop", h.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	if !h.rt.has(sid) || h.rt.destroys.Load() != 0 {
		t.Fatal("stopping the agent touched a container")
	}
}

func TestCertificateRenewal(t *testing.T) {
	pki := newPKI(t)
	srv := startServer(t, pki)
	srv.renewIn = 300 * time.Millisecond // due almost at once
	dir := t.TempDir()
	id, err := Enroll(context.Background(), EnrollConfig{ServerAddr: srv.addr, StateDir: dir, Token: srv.token, Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	firstSerial := id.Serial()
	srv.renewIn = time.Hour
	h := &harness{srv: srv, rt: newFakeRuntime(), dir: dir, id: id}
	h.start(t, nil)
	deadline := time.Now().Add(10 * time.Second)
	for srv.renews.Load() == 0 || id.Serial() == firstSerial {
		if time.Now().After(deadline) {
			t.Fatalf("no renewal (renews %d)", srv.renews.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	loaded, err := LoadIdentity(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Serial() != id.Serial() || loaded.Certificate().Leaf.SerialNumber.Text(16) != id.Serial() {
		t.Fatalf("saved serial %s, current %s", loaded.Serial(), id.Serial())
	}
	if time.Until(loaded.RenewTime()) < 30*time.Minute {
		t.Fatalf("renew time %v not moved forward", loaded.RenewTime())
	}
	// New handshakes present the new certificate.
	h.connect(t, nil)
}

func FuzzParseToken(f *testing.F) {
	f.Add("hde_s3cret." + strings.Repeat("ab", 32))
	f.Add("hde_a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(tok.Raw, TokenPrefix) {
			t.Fatalf("accepted %q", s)
		}
	})
}

func TestKeepaliveFromWelcomeTakesEffectOnNextDial(t *testing.T) {
	h := newHarness(t, nil)
	fs := h.connect(t, nil)
	first := fs.remote
	fs.close(errors.New("drop"))
	// Same settings: the connection is reused.
	fs = h.connect(t, func(w *agentpb.Welcome) {
		w.Keepalive = &agentpb.KeepaliveSettings{Time: durationpb.New(10 * time.Second), Timeout: durationpb.New(2 * time.Second)}
	})
	if fs.remote != first {
		t.Fatalf("stream without new keepalive settings used a new connection (%s, was %s)", fs.remote, first)
	}
	fs.close(errors.New("drop"))
	// New settings arrived with that Welcome: the agent dialed again to apply them.
	fs = h.connect(t, func(w *agentpb.Welcome) {
		w.Keepalive = &agentpb.KeepaliveSettings{Time: durationpb.New(10 * time.Second), Timeout: durationpb.New(2 * time.Second)}
	})
	if fs.remote == first {
		t.Fatalf("keepalive settings from Welcome did not lead to a new connection")
	}
	second := fs.remote
	fs.close(errors.New("drop"))
	fs = h.connect(t, nil)
	if fs.remote != second {
		t.Fatalf("unchanged keepalive settings redialed")
	}
}
