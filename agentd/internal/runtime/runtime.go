// Package runtime drives the container engine for agentd: it creates, lists and removes session
// containers and describes the host. The agent loop only sees the Runtime interface, so its
// logic can be tested without Docker; the Docker implementation is tested against a real engine.
package runtime

import (
	"context"
	"time"

	agentpb "github.com/hotdesk/hotdesk/gen/go/hotdesk/agent/v1"
)

// Labels that tie a container to Hotdesk. They are the ownership record: the agent never lists,
// reconciles or removes a container that lacks them.
const (
	LabelManaged       = "hotdesk.managed"
	LabelSessionID     = "hotdesk.session_id"
	LabelAgentID       = "hotdesk.agent_id"
	LabelContainerPort = "hotdesk.container_port"
)

// ContainerNamePrefix starts every session container's name; the session id follows.
const ContainerNamePrefix = "hotdesk-"

// ContainerName is the Docker name of a session's container. Docker refuses a second container
// with the same name, which backs up the label lookup against two concurrent creates.
func ContainerName(sessionID string) string { return ContainerNamePrefix + sessionID }

// Runtime is what the agent loop needs from the container engine.
type Runtime interface {
	// CreateSession creates and starts the container of a session, or reports the one that
	// already exists for it (Created.AlreadyExisted).
	CreateSession(ctx context.Context, cmd *agentpb.CreateSessionContainer) (Created, error)
	// DestroySession stops and removes a session's container and its anonymous volumes.
	// containerID may be empty: the container is then found by its session label. stopTimeout
	// nil means Docker's default. It reports alreadyAbsent when there was nothing to remove.
	DestroySession(ctx context.Context, sessionID, containerID string, stopTimeout *time.Duration) (alreadyAbsent bool, err error)
	// List returns this agent's session containers, running or not.
	List(ctx context.Context) ([]Container, error)
	// Info describes the host: capacity, engine, networks and images.
	Info(ctx context.Context) (HostInfo, error)
}

// Created is the outcome of CreateSession.
type Created struct {
	ContainerID    string
	HostPort       uint16 // published on 127.0.0.1
	ImageID        string
	AlreadyExisted bool
	// Warnings are Docker's remarks on the create, e.g. that the kernel cannot enforce a
	// setting (a block I/O weight) and Docker dropped it. The agent logs them.
	Warnings []string
}

// Container is one session container as List reports it.
type Container struct {
	ID        string
	SessionID string
	State     agentpb.ContainerState
	HostPort  uint16 // 0 when nothing is published (e.g. the container is stopped)
	Created   time.Time
}

// Image is one tagged image present on the host.
type Image struct {
	Reference string
	ID        string
	Digest    string // registry manifest digest; empty for images built or imported locally
	SizeBytes int64
}

// HostInfo describes the host for resource reports and Hello capabilities.
type HostInfo struct {
	Hostname      string
	OS            string // as Go names it
	Arch          string // as Go names it
	Cores         float64
	MemoryBytes   int64
	GPUs          uint32
	CPUQuota      bool // the engine can enforce --cpus (CFS quota)
	DockerVersion string
	Networks      []string
	Images        []Image
	DiskFreeBytes int64
}
