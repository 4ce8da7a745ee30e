package model

import "time"

// SessionState is where a session is in its life; numbers mirror hotdesk.v1.SessionState.
type SessionState int

// Session states.
const (
	SessionPending SessionState = iota + 1
	SessionStarting
	SessionRunning
	SessionStopping
	SessionStopped
	SessionFailed
	SessionUnreachable
	SessionLost
)

// Ended reports whether a session in state s is over.
func (s SessionState) Ended() bool {
	return s == SessionStopped || s == SessionFailed || s == SessionLost
}

// Agent states; numbers mirror hotdesk.v1.AgentState.
const (
	AgentPending     = 1
	AgentOnline      = 2
	AgentUnreachable = 3
	AgentLost        = 4
)

// Session is a launched workspace.
type Session struct {
	ID                 string
	WorkspaceID        string
	UserID             string
	ZoneID             string
	AgentID            string
	State              SessionState
	StateReason        string
	ContainerID        string
	HostPort           int
	Reserved           Capacity
	TriedAgents        []string
	IdleTimeoutSeconds int32
	CreateTime         time.Time
	StartTime          *time.Time
	ExpireTime         *time.Time
	MaxExpireTime      *time.Time
	EndTime            *time.Time
	UpdateTime         time.Time
}

// CommandKind says what an agent command does.
type CommandKind string

// Command kinds.
const (
	CommandCreate  CommandKind = "create"
	CommandDestroy CommandKind = "destroy"
)

// Command is a durable instruction for one agent, stored until the agent reports its result.
type Command struct {
	AgentID   string       `json:"-"`
	Seq       int64        `json:"-"`
	Kind      CommandKind  `json:"kind"`
	SessionID string       `json:"session_id"`
	Create    *CreateSpec  `json:"create,omitempty"`
	Destroy   *DestroySpec `json:"destroy,omitempty"`
	Created   time.Time    `json:"-"`
}

// CreateSpec is what an agent needs to start a session container.
type CreateSpec struct {
	Image             string            `json:"image"`
	Env               map[string]string `json:"env,omitempty"`
	Cores             float64           `json:"cores"`
	CPUAllocation     CPUAllocation     `json:"cpu_allocation"`
	MemoryBytes       int64             `json:"memory_bytes"`
	GPUs              int32             `json:"gpus,omitempty"`
	Network           string            `json:"network,omitempty"`
	Mounts            []VolumeMapping   `json:"mounts,omitempty"`
	RunConfigOverride string            `json:"run_config_override,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	ContainerPort     int               `json:"container_port"`
}

// DestroySpec says which container to remove and why.
type DestroySpec struct {
	ContainerID string `json:"container_id,omitempty"`
	Reason      string `json:"reason"`
}

// ReportedContainer is a session container an agent says it runs.
type ReportedContainer struct {
	ContainerID string
	SessionID   string
	Running     bool
	HostPort    int
}

// AgentReport is what an agent reports about itself.
type AgentReport struct {
	Hostname      string
	Version       string
	DockerVersion string
	Capacity      Capacity
	Networks      []string
	Images        []string
	Containers    []ReportedContainer
}
