package agent

import (
	"context"
	"errors"
	"sync"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hotdesk/hotdesk/agentd/internal/runtime"
	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// cmdEntry is one command this process has received.
type cmdEntry struct {
	seq           uint64
	createSession string // the session a CreateSessionContainer is for
	done          chan struct{}
	res           *agentpb.CommandResult // set before done is closed
}

// commandTable remembers commands by sequence so a redelivered one is never acted on twice,
// and holds the results of the last finished ones to send again. It also knows the current
// stream, so results and stream changes are ordered by one lock.
type commandTable struct {
	mu      sync.Mutex
	size    int
	entries map[uint64]*cmdEntry
	floor   uint64 // highest sequence evicted: anything at or below counts as seen
	cur     *stream
}

func newCommandTable(size int) *commandTable {
	return &commandTable{size: size, entries: map[uint64]*cmdEntry{}}
}

// admit returns the entry for seq and whether it had been seen. A seen sequence whose result
// has been evicted returns a nil entry.
func (t *commandTable) admit(seq uint64, createSession string) (*cmdEntry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.entries[seq]; ok {
		return e, true
	}
	if seq <= t.floor {
		return nil, true
	}
	e := &cmdEntry{seq: seq, createSession: createSession, done: make(chan struct{})}
	t.entries[seq] = e
	for len(t.entries) > t.size && t.evictOne() {
	}
	return e, false
}

// evictOne drops the finished entry with the lowest sequence; running ones are kept.
func (t *commandTable) evictOne() bool {
	var low *cmdEntry
	for _, e := range t.entries {
		if e.res != nil && (low == nil || e.seq < low.seq) {
			low = e
		}
	}
	if low == nil {
		return false
	}
	delete(t.entries, low.seq)
	t.floor = max(t.floor, low.seq)
	return true
}

// finish records a command's result and returns the stream to send it on, if any.
func (t *commandTable) finish(e *cmdEntry, res *agentpb.CommandResult) *stream {
	t.mu.Lock()
	defer t.mu.Unlock()
	e.res = res
	close(e.done)
	return t.cur
}

func (t *commandTable) result(e *cmdEntry) *agentpb.CommandResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	return e.res
}

// attach makes st current and returns the finished results above lastAcked, in sequence order.
func (t *commandTable) attach(st *stream, lastAcked uint64) []*agentpb.CommandResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cur = st
	var out []*agentpb.CommandResult
	for _, e := range t.entries {
		if e.seq > lastAcked && e.res != nil {
			out = append(out, e.res)
		}
	}
	sortResults(out)
	return out
}

func (t *commandTable) detach(st *stream) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur == st {
		t.cur = nil
	}
}

// pendingBelow returns the done channels of unfinished commands with a lower sequence.
func (t *commandTable) pendingBelow(seq uint64) []chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []chan struct{}
	for _, e := range t.entries {
		if e.seq < seq && e.res == nil {
			out = append(out, e.done)
		}
	}
	return out
}

// createsAbove returns the sessions that creates with a higher sequence are for.
func (t *commandTable) createsAbove(seq uint64) map[string]bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := map[string]bool{}
	for _, e := range t.entries {
		if e.seq > seq && e.createSession != "" {
			out[e.createSession] = true
		}
	}
	return out
}

func sortResults(rs []*agentpb.CommandResult) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].GetSequence() < rs[j-1].GetSequence(); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// handleCommand runs on the stream's receive loop: it acks at once, then answers a duplicate
// from memory or starts the work. Drain and the draining check of creates happen here, in
// arrival order, so a create that arrives after a Drain is refused.
func (a *Agent) handleCommand(st *stream, cmd *agentpb.Command) {
	seq := cmd.GetSequence()
	if seq == 0 {
		a.log.Warn("ignoring a command without a sequence")
		return
	}
	received := timestamppb.Now()
	kind, sessionID := describe(cmd)
	createSession := ""
	if cmd.GetCreateSessionContainer() != nil {
		createSession = sessionID
	}
	e, dup := a.cmds.admit(seq, createSession)
	st.send(&agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_CommandAck{CommandAck: &agentpb.CommandAck{
		Sequence: seq, ReceiveTime: received, Duplicate: dup,
	}}})
	log := a.log.With("sequence", seq, "command", kind)
	if sessionID != "" {
		log = log.With("session_id", sessionID)
	}
	if dup {
		switch {
		case e == nil:
			log.Warn("redelivered command is too old to have its result; reporting an error")
			st.send(result(errorResult(seq, agentpb.CommandErrorCode_COMMAND_ERROR_CODE_INTERNAL, "command was already processed by this agent and its result is no longer held")))
		case a.cmds.result(e) != nil:
			log.Info("redelivered command already finished; sending its result again")
			st.send(result(a.cmds.result(e)))
		default:
			log.Info("redelivered command still running; its result follows when it ends")
		}
		return
	}

	var deadline time.Time
	if cmd.GetDeadline() != nil {
		deadline = a.skew.local(cmd.GetDeadline().AsTime())
		if time.Now().After(deadline) {
			log.Warn("command arrived after its deadline")
			a.finish(e, errorResult(seq, agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DEADLINE_EXCEEDED, "the command's deadline passed before the agent could start it"), log)
			return
		}
	}
	switch act := cmd.GetAction().(type) {
	case *agentpb.Command_CreateSessionContainer:
		if a.draining.get() {
			log.Info("refusing a new session container: draining")
			a.finish(e, errorResult(seq, agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DRAINING, "the agent is draining and takes no new session containers"), log)
			return
		}
	case *agentpb.Command_Drain:
		a.draining.set(!act.Drain.GetCancel())
		log.Info("drain state changed", "draining", !act.Drain.GetCancel(), "reason", act.Drain.GetReason())
	case *agentpb.Command_DestroySessionContainer, *agentpb.Command_Reconcile:
	default:
		log.Warn("unknown command kind; the server is newer than this agent")
		a.finish(e, errorResult(seq, agentpb.CommandErrorCode_COMMAND_ERROR_CODE_UNIMPLEMENTED, "this agent does not know the command's kind"), log)
		return
	}
	a.inflight.Add(1)
	go func() {
		defer a.inflight.Done()
		a.execute(e, cmd, deadline, log)
	}()
}

// execute does the work of one command under its deadline, at most MaxConcurrentCommands at a
// time, and sends the result.
func (a *Agent) execute(e *cmdEntry, cmd *agentpb.Command, deadline time.Time, log loggerT) {
	ctx := a.workCtx
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	seq := cmd.GetSequence()
	if cmd.GetReconcile() != nil {
		// Reconcile runs after every lower command has finished, so it sees their containers.
		for _, done := range a.cmds.pendingBelow(seq) {
			select {
			case <-done:
			case <-ctx.Done():
			}
		}
	}
	select {
	case a.sem <- struct{}{}:
		defer func() { <-a.sem }()
	case <-ctx.Done():
	}
	if err := ctx.Err(); err != nil {
		a.finish(e, failure(seq, err, ctx), log)
		return
	}
	start := time.Now()
	var res *agentpb.CommandResult
	switch act := cmd.GetAction().(type) {
	case *agentpb.Command_CreateSessionContainer:
		res = a.create(ctx, seq, act.CreateSessionContainer, log)
	case *agentpb.Command_DestroySessionContainer:
		res = a.destroy(ctx, seq, act.DestroySessionContainer, log)
	case *agentpb.Command_Reconcile:
		res = a.reconcile(ctx, seq, act.Reconcile, log)
	case *agentpb.Command_Drain:
		res = a.drainResult(ctx, seq)
	}
	log.Debug("command finished", "duration", time.Since(start))
	a.finish(e, res, log)
}

func (a *Agent) finish(e *cmdEntry, res *agentpb.CommandResult, log loggerT) {
	if ce := res.GetError(); ce != nil {
		log.Warn("command failed", "code", ce.GetCode().String(), "error", ce.GetMessage())
	}
	if st := a.cmds.finish(e, res); st != nil {
		st.send(result(res))
	}
}

func (a *Agent) create(ctx context.Context, seq uint64, c *agentpb.CreateSessionContainer, log loggerT) *agentpb.CommandResult {
	out, err := a.rt.CreateSession(ctx, c)
	for _, w := range out.Warnings {
		log.Warn("docker warning on create", "warning", w)
	}
	if err != nil {
		a.triggerReport()
		return failure(seq, err, ctx)
	}
	log.Info("session container ready", "container_id", out.ContainerID, "host_port", out.HostPort, "already_existed", out.AlreadyExisted)
	a.triggerReport()
	return &agentpb.CommandResult{Sequence: seq, Outcome: &agentpb.CommandResult_CreateSessionContainer{CreateSessionContainer: &agentpb.CreateSessionContainerResult{
		ContainerId: out.ContainerID, HostPort: uint32(out.HostPort), ImageId: out.ImageID, AlreadyExisted: out.AlreadyExisted,
	}}}
}

func (a *Agent) destroy(ctx context.Context, seq uint64, d *agentpb.DestroySessionContainer, log loggerT) *agentpb.CommandResult {
	var timeout *time.Duration
	if d.GetStopTimeout() != nil {
		t := d.GetStopTimeout().AsDuration()
		timeout = &t
	}
	absent, err := a.rt.DestroySession(ctx, d.GetSessionId(), d.GetContainerId(), timeout)
	if err != nil {
		return failure(seq, err, ctx)
	}
	log.Info("session container removed", "already_absent", absent, "reason", d.GetReason().String())
	a.triggerReport()
	return &agentpb.CommandResult{Sequence: seq, Outcome: &agentpb.CommandResult_DestroySessionContainer{DestroySessionContainer: &agentpb.DestroySessionContainerResult{
		AlreadyAbsent: absent,
	}}}
}

// reconcile removes session containers the server does not know (orphans) and reports the
// sessions it knows that have no container (missing). Sessions that a create with a higher
// sequence is for are left alone: the server sent that create after this list.
func (a *Agent) reconcile(ctx context.Context, seq uint64, r *agentpb.Reconcile, log loggerT) *agentpb.CommandResult {
	known := make(map[string]bool, len(r.GetSessionIds()))
	for _, s := range r.GetSessionIds() {
		known[s] = true
	}
	later := a.cmds.createsAbove(seq)
	list, err := a.rt.List(ctx)
	if err != nil {
		return failure(seq, err, ctx)
	}
	res := &agentpb.ReconcileResult{}
	present := map[string]bool{}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
		lim  = make(chan struct{}, 4)
	)
	for _, c := range list {
		present[c.SessionID] = true
		if known[c.SessionID] || later[c.SessionID] {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			lim <- struct{}{}
			defer func() { <-lim }()
			_, err := a.rt.DestroySession(ctx, c.SessionID, c.ID, nil)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			log.Info("removed orphan session container", "session_id", c.SessionID, "container_id", c.ID)
			res.Removed = append(res.Removed, &agentpb.RemovedContainer{ContainerId: c.ID, SessionId: c.SessionID})
		}()
	}
	wg.Wait()
	for _, s := range r.GetSessionIds() {
		if !present[s] && !later[s] {
			res.MissingSessionIds = append(res.MissingSessionIds, s)
		}
	}
	if len(res.Removed) > 0 {
		a.triggerReport()
	}
	if len(errs) > 0 {
		return failure(seq, errors.Join(errs...), ctx)
	}
	log.Info("reconciled", "removed", len(res.Removed), "missing", len(res.MissingSessionIds))
	return &agentpb.CommandResult{Sequence: seq, Outcome: &agentpb.CommandResult_Reconcile{Reconcile: res}}
}

func (a *Agent) drainResult(ctx context.Context, seq uint64) *agentpb.CommandResult {
	running := uint32(0)
	if list, err := a.rt.List(ctx); err == nil {
		for _, c := range list {
			if c.State == agentpb.ContainerState_CONTAINER_STATE_RUNNING {
				running++
			}
		}
	} else {
		a.log.Warn("cannot count session containers for the drain result", "error", err)
	}
	return &agentpb.CommandResult{Sequence: seq, Outcome: &agentpb.CommandResult_Drain{Drain: &agentpb.DrainResult{RunningSessionContainers: running}}}
}

// failure is the error result for err, DEADLINE_EXCEEDED when the command's deadline cut it.
func failure(seq uint64, err error, ctx context.Context) *agentpb.CommandResult {
	code := runtime.Code(err)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		code = agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DEADLINE_EXCEEDED
	}
	if code == agentpb.CommandErrorCode_COMMAND_ERROR_CODE_UNSPECIFIED {
		code = agentpb.CommandErrorCode_COMMAND_ERROR_CODE_INTERNAL
	}
	return errorResult(seq, code, err.Error())
}

func errorResult(seq uint64, code agentpb.CommandErrorCode, msg string) *agentpb.CommandResult {
	if len(msg) > 4096 {
		msg = msg[:4093] + "..."
	}
	return &agentpb.CommandResult{Sequence: seq, Outcome: &agentpb.CommandResult_Error{Error: &agentpb.CommandError{Code: code, Message: msg}}}
}

func result(r *agentpb.CommandResult) *agentpb.CheckInRequest {
	return &agentpb.CheckInRequest{Msg: &agentpb.CheckInRequest_CommandResult{CommandResult: r}}
}

// describe names a command's kind and session for logs. It never touches the environment,
// which holds secrets.
func describe(cmd *agentpb.Command) (kind, sessionID string) {
	switch act := cmd.GetAction().(type) {
	case *agentpb.Command_CreateSessionContainer:
		return "create_session_container", act.CreateSessionContainer.GetSessionId()
	case *agentpb.Command_DestroySessionContainer:
		return "destroy_session_container", act.DestroySessionContainer.GetSessionId()
	case *agentpb.Command_Reconcile:
		return "reconcile", ""
	case *agentpb.Command_Drain:
		return "drain", ""
	}
	return "unknown", ""
}
