package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// streamOutcome is how one CheckIn stream ended.
type streamOutcome struct {
	welcomed bool
	lasted   time.Duration // from Welcome to the end
	goodbye  *agentpb.Goodbye
	err      error
}

// stream is one open CheckIn stream after Welcome. Every message to the server goes through its
// outbox and a single sender goroutine, so acks, results, heartbeats and reports keep the order
// they were queued in (an ack always precedes its command's result).
type stream struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	out    chan *agentpb.CheckInRequest
}

// send queues a message; it gives up when the stream has ended.
func (s *stream) send(msg *agentpb.CheckInRequest) bool {
	select {
	case s.out <- msg:
		return true
	case <-s.ctx.Done():
		return false
	}
}

func (a *Agent) runStream(ctx context.Context) (out streamOutcome) {
	client, err := a.client()
	if err != nil {
		return streamOutcome{err: err}
	}
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	cs, err := client.CheckIn(sctx)
	if err != nil {
		return streamOutcome{err: fmt.Errorf("open stream: %w", err)}
	}
	if err := cs.Send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_Hello{Hello: &agentpb.Hello{
		AgentId:      a.id.AgentID,
		InstanceId:   a.instanceID,
		Version:      a.cfg.Version,
		Capabilities: a.capabilities(ctx),
		AdvertiseUrl: a.cfg.AdvertiseURL,
	}}}); err != nil {
		return streamOutcome{err: fmt.Errorf("send hello: %w", err)}
	}

	// The first answer must be Welcome.
	first := make(chan *agentpb.CheckInResponse, 1)
	firstErr := make(chan error, 1)
	go func() {
		m, err := cs.Recv()
		if err != nil {
			firstErr <- err
			return
		}
		first <- m
	}()
	var w *agentpb.Welcome
	select {
	case m := <-first:
		if g := m.GetGoodbye(); g != nil {
			return streamOutcome{goodbye: g}
		}
		if w = m.GetWelcome(); w == nil {
			return streamOutcome{err: errors.New("server's first message was not Welcome")}
		}
	case err := <-firstErr:
		return streamOutcome{err: fmt.Errorf("waiting for welcome: %w", err)}
	case <-time.After(a.cfg.WelcomeTimeout):
		return streamOutcome{err: errors.New("no welcome in time")}
	case <-ctx.Done():
		return streamOutcome{err: ctx.Err()}
	}
	welcomedAt := time.Now()
	defer func() { out.welcomed, out.lasted = true, time.Since(welcomedAt) }()
	if w.GetServerTime() != nil {
		a.skew.set(w.GetServerTime().AsTime().Sub(welcomedAt))
	}
	a.draining.set(w.GetDraining())
	a.setKeepalive(w.GetKeepalive())
	a.log.Info("checked in", "server_id", w.GetServerId(), "heartbeat_interval", w.GetHeartbeatInterval().AsDuration(),
		"last_acked_command_sequence", w.GetLastAckedCommandSequence(), "draining", w.GetDraining())

	st := &stream{ctx: sctx, cancel: cancel, out: make(chan *agentpb.CheckInRequest, 256)}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel(nil)
	wg.Add(3)
	go func() { // the only goroutine calling cs.Send from here on
		defer wg.Done()
		for {
			select {
			case <-sctx.Done():
				return
			case m := <-st.out:
				if err := cs.Send(m); err != nil {
					cancel(fmt.Errorf("send: %w", err))
					return
				}
			}
		}
	}()

	// Results the server may not have: finished commands above the last acked sequence. The
	// stream becomes current in the same step, so a command finishing now is either in this
	// list or sent on this stream (or both; the server ignores repeats).
	for _, r := range a.cmds.attach(st, w.GetLastAckedCommandSequence()) {
		st.send(result(r))
	}
	defer a.cmds.detach(st)

	go func() { defer wg.Done(); a.heartbeats(st, w) }()
	go func() { defer wg.Done(); a.reports(st, w) }()

	for {
		m, err := cs.Recv()
		if err != nil {
			if cause := context.Cause(sctx); cause != nil && !errors.Is(cause, context.Canceled) {
				err = cause
			}
			return streamOutcome{err: err}
		}
		switch msg := m.GetMsg().(type) {
		case *agentpb.CheckInResponse_Command:
			a.handleCommand(st, msg.Command)
		case *agentpb.CheckInResponse_Goodbye:
			return streamOutcome{goodbye: msg.Goodbye}
		case *agentpb.CheckInResponse_Welcome:
			a.log.Warn("ignoring a second Welcome on the stream")
		}
	}
}

func (a *Agent) heartbeats(st *stream, w *agentpb.Welcome) {
	interval := w.GetHeartbeatInterval().AsDuration()
	if interval <= 0 {
		interval = 10 * time.Second
	}
	interval = max(interval, 10*time.Millisecond)
	var seq uint64
	for {
		t := time.NewTimer(jittered(interval, w.GetHeartbeatJitter()))
		select {
		case <-st.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		seq++
		st.send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_Heartbeat{Heartbeat: &agentpb.Heartbeat{
			Sequence: seq, AgentTime: timestamppb.Now(),
		}}})
	}
}

// reports sends a ResourceReport at once, then every resource_report_interval and shortly after
// each trigger (a container was created or removed).
func (a *Agent) reports(st *stream, w *agentpb.Welcome) {
	interval := w.GetResourceReportInterval().AsDuration()
	if interval <= 0 {
		interval = time.Minute
	}
	interval = max(interval, 10*time.Millisecond)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	a.sendReport(st)
	for {
		select {
		case <-st.ctx.Done():
			return
		case <-tick.C:
		case <-a.reportCh:
			select {
			case <-st.ctx.Done():
				return
			case <-time.After(a.cfg.ReportDebounce):
			}
			// Triggers during the debounce are covered by this report.
			select {
			case <-a.reportCh:
			default:
			}
		}
		a.sendReport(st)
		tick.Reset(interval)
	}
}
