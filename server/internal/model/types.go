package model

import "time"

// Role is what a user may do.
type Role int

// Roles.
const (
	RoleUser Role = iota + 1
	RoleAdmin
)

// Page asks for one page of a keyset-ordered listing.
type Page struct {
	Size  int
	After string // id of the last row of the previous page; "" for the first page
}

// Zone groups agents, proxies and servers that sit together.
type Zone struct {
	ID          string
	Name        string
	Description string
	ProxyMode   int // 1 standard, 2 direct-to-agent
	CreateTime  time.Time
	UpdateTime  time.Time
}

// User is a person who signs in.
type User struct {
	ID           string
	Username     string
	DisplayName  string
	Role         Role
	Disabled     bool
	PasswordHash string
	GroupIDs     []string
	CreateTime   time.Time
	UpdateTime   time.Time
}

// Group is a set of users and the workspaces they may launch.
type Group struct {
	ID           string
	Name         string
	Description  string
	MemberIDs    []string
	WorkspaceIDs []string
	CreateTime   time.Time
	UpdateTime   time.Time
}

// APIKeyScope limits what an API key may do.
type APIKeyScope int

// API key scopes.
const (
	ScopeFull APIKeyScope = iota + 1
	ScopeReadOnly
)

// APIKey is a long-lived automation credential; only a hash of its secret is kept.
type APIKey struct {
	ID           string
	UserID       string
	Name         string
	Scope        APIKeyScope
	SecretHash   []byte
	ExpireTime   *time.Time
	LastUsedTime *time.Time
	CreateTime   time.Time
}

// Agent is a Docker host that runs session containers.
type Agent struct {
	ID              string
	Hostname        string
	ZoneID          string
	PoolID          string
	Enabled         bool
	State           int // mirrors hotdesk.v1.AgentState numbers
	Version         string
	DockerVersion   string
	Reported        Capacity
	Overrides       Capacity
	Used            Capacity
	Networks        []string
	SessionCount    int
	LastCheckinTime *time.Time
	CreateTime      time.Time
	UpdateTime      time.Time
}

// Capacity is cores, memory and GPUs as the scheduler counts them.
type Capacity struct {
	Cores    float64
	MemoryMB int64
	GPUs     int32
}

// AuditEvent records one change made through the API.
type AuditEvent struct {
	ID         string
	Time       time.Time
	UserID     string
	APIKeyID   string
	Method     string
	ResourceID string
	Code       string
	Peer       string
}
