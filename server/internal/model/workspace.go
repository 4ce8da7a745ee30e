package model

import "time"

// WorkspaceKind is what a workspace launches.
type WorkspaceKind int

// Workspace kinds; numbers mirror hotdesk.v1.WorkspaceKind.
const (
	KindContainer WorkspaceKind = iota + 1
	KindServer
	KindServerPool
	KindLink
)

// CPUAllocation is how a session container's CPU is limited.
type CPUAllocation int

// CPU allocation methods; numbers mirror hotdesk.v1.CpuAllocationMethod.
const (
	CPUInherit CPUAllocation = iota + 1
	CPUShares
	CPUQuota
)

// VolumeMapping mounts a host directory into session containers.
type VolumeMapping struct {
	HostPath      string `json:"host_path"`
	ContainerPath string `json:"container_path"`
	ReadOnly      bool   `json:"read_only,omitempty"`
}

// ContainerSpec holds the settings of a container workspace.
type ContainerSpec struct {
	Image            string
	Registry         string
	RegistryUsername string
	// RegistryPassword is the plaintext secret on its way in or out of the store; the store
	// keeps it encrypted.
	RegistryPassword  string
	Cores             float64
	MemoryMB          int64
	GPUs              int32
	CPUAllocation     CPUAllocation
	RunConfigOverride string // canonical JSON object, "" when none
	DockerNetwork     string
	VolumeMappings    []VolumeMapping
}

// Workspace is a launchable item in the catalog.
type Workspace struct {
	ID                 string
	Name               string
	Description        string
	ThumbnailURL       string
	Kind               WorkspaceKind
	Enabled            bool
	Container          ContainerSpec
	ServerID           string
	ServerPoolID       string
	LinkURL            string
	ZoneIDs            []string
	IdleTimeoutSeconds int32
	MaxLifetimeSeconds int32
	CreateTime         time.Time
	UpdateTime         time.Time
}
