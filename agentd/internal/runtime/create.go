package runtime

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/go-connections/nat"
	"github.com/google/uuid"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

const (
	codeInvalid      = agentpb.CommandErrorCode_COMMAND_ERROR_CODE_INVALID_ARGUMENT
	codeImageMissing = agentpb.CommandErrorCode_COMMAND_ERROR_CODE_IMAGE_NOT_PRESENT
	codeNoNetwork    = agentpb.CommandErrorCode_COMMAND_ERROR_CODE_NETWORK_NOT_FOUND
	codeNoResources  = agentpb.CommandErrorCode_COMMAND_ERROR_CODE_INSUFFICIENT_RESOURCES
	codeStartFailed  = agentpb.CommandErrorCode_COMMAND_ERROR_CODE_CONTAINER_START_FAILED
	codeInternal     = agentpb.CommandErrorCode_COMMAND_ERROR_CODE_INTERNAL
)

// minCPUShares is the kernel's (and Docker's) smallest accepted weight.
const minCPUShares = 2

// CreateSession creates and starts a session's container. It is idempotent per session: a
// container already labeled with the session id is reported (started first if it was only
// created) instead of creating another.
func (d *Docker) CreateSession(ctx context.Context, cmd *agentpb.CreateSessionContainer) (Created, error) {
	if err := validateCreate(cmd); err != nil {
		return Created{}, err
	}
	defer d.creating.lock(cmd.GetSessionId())()
	if c, ok, err := d.findSession(ctx, cmd.GetSessionId()); err != nil {
		return Created{}, err
	} else if ok {
		return d.adopt(ctx, c.ID, cmd.GetContainerPort())
	}
	cfg, hc, err := BuildConfig(cmd, d.agentID)
	if err != nil {
		return Created{}, err
	}
	resp, err := d.cli.ContainerCreate(ctx, cfg, hc, nil, nil, ContainerName(cmd.GetSessionId()))
	if err != nil {
		if cerrdefs.IsConflict(err) {
			// The name is taken: a create for the same session raced this one. Docker reserves
			// the name a moment before the container shows up in lists, so look a few times.
			for i := 0; i < 20; i++ {
				c, ok, ferr := d.findSession(ctx, cmd.GetSessionId())
				if ferr != nil {
					return Created{}, ferr
				}
				if ok {
					return d.adopt(ctx, c.ID, cmd.GetContainerPort())
				}
				select {
				case <-ctx.Done():
					return Created{}, engineErr("create container", ctx.Err())
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
		return Created{}, createErr(cmd, err)
	}
	if err := d.cli.ContainerStart(ctx, resp.ID, container.StartOptions{}); err != nil {
		d.removeQuietly(resp.ID)
		return Created{}, startErr(cmd, err)
	}
	out, err := d.describe(ctx, resp.ID, cmd.GetContainerPort())
	out.Warnings = resp.Warnings
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == codeStartFailed {
			d.removeQuietly(resp.ID)
		}
		return Created{}, err
	}
	return out, nil
}

// adopt reports an existing session container, starting it when it was created but never
// started (the agent stopped between the two steps).
func (d *Docker) adopt(ctx context.Context, id string, port uint32) (Created, error) {
	insp, err := d.cli.ContainerInspect(ctx, id)
	if err != nil {
		return Created{}, engineErr("inspect container", err)
	}
	if insp.State != nil && insp.State.Status == container.StateCreated {
		if err := d.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
			return Created{}, &Error{Code: codeStartFailed, Err: fmt.Errorf("start existing container: %w", err)}
		}
	}
	out, err := d.describe(ctx, id, port)
	out.AlreadyExisted = true
	return out, err
}

// describe reads the published port and image id of a started container.
func (d *Docker) describe(ctx context.Context, id string, port uint32) (Created, error) {
	insp, err := d.cli.ContainerInspect(ctx, id)
	if err != nil {
		return Created{}, engineErr("inspect container", err)
	}
	out := Created{ContainerID: insp.ID, ImageID: insp.Image}
	if insp.State == nil || !insp.State.Running {
		st := "unknown"
		if insp.State != nil {
			st = fmt.Sprintf("%s, exit code %d", insp.State.Status, insp.State.ExitCode)
			if insp.State.Error != "" {
				st += ": " + insp.State.Error
			}
		}
		return out, errorf(codeStartFailed, "container %s is not running (%s)", shortID(insp.ID), st)
	}
	if insp.NetworkSettings != nil {
		for _, b := range insp.NetworkSettings.Ports[natPort(port)] {
			if p, err := strconv.ParseUint(b.HostPort, 10, 16); err == nil && p > 0 {
				out.HostPort = uint16(p)
				break
			}
		}
	}
	if out.HostPort == 0 {
		return out, errorf(codeInternal, "container %s has no host port for %d/tcp", shortID(insp.ID), port)
	}
	return out, nil
}

// createErr turns a ContainerCreate failure into the code the server acts on.
func createErr(cmd *agentpb.CreateSessionContainer, err error) error {
	if e := missingNetwork(cmd, err); e != nil {
		return e
	}
	msg := err.Error()
	switch {
	case cerrdefs.IsNotFound(err):
		return &Error{Code: codeImageMissing, Err: fmt.Errorf("image %q: %w", cmd.GetImageReference(), err)}
	case strings.Contains(msg, "Range of CPUs"):
		return &Error{Code: codeNoResources, Err: err}
	case cerrdefs.IsInvalidArgument(err):
		return &Error{Code: codeInvalid, Err: fmt.Errorf("create container: %w", err)}
	}
	return engineErr("create container", err)
}

// startErr turns a ContainerStart failure into a code: Docker only checks some things (the
// network, GPU drivers) when it starts the container.
func startErr(cmd *agentpb.CreateSessionContainer, err error) error {
	if e := missingNetwork(cmd, err); e != nil {
		return e
	}
	code := codeStartFailed
	switch c := Code(err); {
	case c == agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DOCKER_UNAVAILABLE, c == agentpb.CommandErrorCode_COMMAND_ERROR_CODE_DEADLINE_EXCEEDED:
		code = c
	case cmd.GetGpus() > 0 && strings.Contains(err.Error(), "device driver"):
		code = codeNoResources
	}
	return &Error{Code: code, Err: fmt.Errorf("start container: %w", err)}
}

func missingNetwork(cmd *agentpb.CreateSessionContainer, err error) error {
	msg := err.Error()
	if cmd.GetNetwork() != "" && cerrdefs.IsNotFound(err) && strings.Contains(msg, "network") && strings.Contains(msg, cmd.GetNetwork()) {
		return &Error{Code: codeNoNetwork, Err: fmt.Errorf("network %q: %w", cmd.GetNetwork(), err)}
	}
	return nil
}

// removeQuietly removes a container this call created and could not use. It outlives the
// caller's context, which may be what failed.
func (d *Docker) removeQuietly(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = d.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
}

func validateCreate(cmd *agentpb.CreateSessionContainer) error {
	if cmd == nil {
		return errorf(codeInvalid, "no create command")
	}
	if _, err := uuid.Parse(cmd.GetSessionId()); err != nil {
		return errorf(codeInvalid, "session_id %q is not a UUID", cmd.GetSessionId())
	}
	if cmd.GetImageReference() == "" {
		return errorf(codeInvalid, "image_reference is empty")
	}
	if p := cmd.GetContainerPort(); p < 1 || p > 65535 {
		return errorf(codeInvalid, "container_port %d is out of range", p)
	}
	if c := cmd.GetCores(); !(c > 0) || math.IsInf(c, 0) || c > 1024 {
		return errorf(codeInvalid, "cores %v is out of range", c)
	}
	switch cmd.GetCpuAllocationMethod() {
	case agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_SHARES, agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA:
	default:
		return errorf(codeInvalid, "cpu_allocation_method %v is not shares or quota", cmd.GetCpuAllocationMethod())
	}
	if cmd.GetMemoryBytes() <= 0 {
		return errorf(codeInvalid, "memory_bytes must be positive")
	}
	for k := range cmd.GetEnv() {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return errorf(codeInvalid, "env key %q is not a variable name", k)
		}
	}
	for _, m := range cmd.GetVolumeMounts() {
		if !path.IsAbs(m.GetHostPath()) || !path.IsAbs(m.GetContainerPath()) {
			return errorf(codeInvalid, "volume mount %q -> %q: paths must be absolute", m.GetHostPath(), m.GetContainerPath())
		}
	}
	return nil
}

// BuildConfig is the container configuration for a create command: the command's settings,
// then its run-config override. Exported for the benchmark's raw-Docker baseline.
func BuildConfig(cmd *agentpb.CreateSessionContainer, agentID string) (*container.Config, *container.HostConfig, error) {
	port := natPort(cmd.GetContainerPort())
	labels := make(map[string]string, len(cmd.GetLabels())+4)
	for k, v := range cmd.GetLabels() {
		labels[k] = v
	}
	// Ours last: they are the ownership record and win over the command's.
	labels[LabelManaged] = "true"
	labels[LabelSessionID] = cmd.GetSessionId()
	labels[LabelContainerPort] = strconv.FormatUint(uint64(cmd.GetContainerPort()), 10)
	if agentID != "" {
		labels[LabelAgentID] = agentID
	}

	env := make([]string, 0, len(cmd.GetEnv()))
	for k, v := range cmd.GetEnv() {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)

	cfg := &container.Config{
		Image:        cmd.GetImageReference(),
		Env:          env,
		Labels:       labels,
		ExposedPorts: nat.PortSet{port: struct{}{}},
	}
	hc := &container.HostConfig{
		PortBindings:  nat.PortMap{port: []nat.PortBinding{{HostIP: "127.0.0.1"}}},
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled},
	}
	switch cmd.GetCpuAllocationMethod() {
	case agentpb.CpuAllocationMethod_CPU_ALLOCATION_METHOD_QUOTA:
		hc.NanoCPUs = int64(math.Round(cmd.GetCores() * 1e9))
	default:
		hc.CPUShares = max(int64(math.Round(cmd.GetCores()*1024)), minCPUShares)
	}
	hc.Memory = cmd.GetMemoryBytes()
	hc.MemorySwap = cmd.GetMemoryBytes() // equal to Memory: no swap
	if n := cmd.GetGpus(); n > 0 {
		hc.DeviceRequests = []container.DeviceRequest{{Count: int(n), Capabilities: [][]string{{"gpu"}}}}
	}
	if n := cmd.GetNetwork(); n != "" {
		hc.NetworkMode = container.NetworkMode(n)
	}
	for _, m := range cmd.GetVolumeMounts() {
		// Binds, unlike bind Mounts, create a missing host directory, as users of
		// per-user home directories expect; a ':' in a path only fits the Mounts form.
		if strings.Contains(m.GetHostPath(), ":") || strings.Contains(m.GetContainerPath(), ":") {
			hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeBind, Source: m.GetHostPath(), Target: m.GetContainerPath(), ReadOnly: m.GetReadOnly()})
			continue
		}
		b := m.GetHostPath() + ":" + m.GetContainerPath()
		if m.GetReadOnly() {
			b += ":ro"
		}
		hc.Binds = append(hc.Binds, b)
	}
	if err := ApplyOverride(cmd.GetRunConfigOverrideJson(), cfg, hc); err != nil {
		return nil, nil, err
	}
	return cfg, hc, nil
}

func natPort(p uint32) nat.Port { return nat.Port(strconv.FormatUint(uint64(p), 10) + "/tcp") }

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
