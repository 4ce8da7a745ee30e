package model

import "time"

// ImageState is where a workspace's image stands on an agent; numbers mirror
// hotdesk.v1.ImageState.
type ImageState int

// Image states.
const (
	ImageQueued ImageState = iota + 1
	ImagePulling
	ImagePresent
	ImageFailed
	ImageAbsent
)

// ImageTarget is what decides which images an agent should hold: its zone and its Docker
// networks (from its last resource report).
type ImageTarget struct {
	AgentID  string
	ZoneID   string
	Networks []string
}

// DesiredImage is one image an agent should hold, for one workspace.
type DesiredImage struct {
	WorkspaceID string
	// Reference is the normalized pull reference (catalog.PullReference).
	Reference string
	// Registry is the registry host[:port]; "" when the workspace names none, and then the
	// agent never pulls the image.
	Registry string
	Username string
	// Password is the plaintext registry secret; it travels only on the agent's mTLS stream.
	Password string
	Network  string
}

// ImageStatus is the state of one workspace's image on one agent.
type ImageStatus struct {
	WorkspaceID string
	AgentID     string
	Reference   string
	State       ImageState
	Present     bool
	LayersDone  int32
	LayersTotal int32
	BytesDone   int64
	BytesTotal  int64
	Digest      string
	ImageID     string
	Error       string
	PullTime    *time.Time
	UpdateTime  time.Time
}

// PullProgress is an agent's report on one pull.
type PullProgress struct {
	Reference   string
	State       ImageState // queued, pulling, present or failed
	LayersDone  int32
	LayersTotal int32
	BytesDone   int64
	BytesTotal  int64
	Digest      string
	Error       string
}

// PresentImage is one image of an agent's desired set that is on the host, from its inventory.
type PresentImage struct {
	Reference string
	Digest    string
	ImageID   string
	PullTime  *time.Time
}

// ImageStatusFilter narrows a listing of image statuses; empty fields match everything.
type ImageStatusFilter struct {
	WorkspaceID string
	AgentID     string
}
