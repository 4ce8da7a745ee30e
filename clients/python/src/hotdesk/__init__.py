"""Python SDK of Hotdesk.

    import hotdesk

    with hotdesk.Client("http://127.0.0.1:8080", api_key="hdk_...") as client:
        session = client.sessions.launch(workspace_id)
        session = client.sessions.wait(session.id, "RUNNING", timeout=120)
        print(session.connect_url)
        client.sessions.delete(session.id)

Every failed call raises a ``HotdeskError`` subclass named for its gRPC code (``NotFound``,
``InvalidArgument``, ``PermissionDenied``, ...) with ``.code``, ``.message``, ``.reason`` and
``.field``. The generated messages and stubs are importable as ``hotdesk.v1.<file>_pb2`` and
``hotdesk.v1.<file>_pb2_grpc``; the common ones are re-exported here.
"""

from hotdesk._client import ENDED_STATES, Client
from hotdesk._errors import (
    Aborted,
    AlreadyExists,
    Cancelled,
    DataLoss,
    DeadlineExceeded,
    FailedPrecondition,
    HotdeskError,
    Internal,
    InvalidArgument,
    NotFound,
    OutOfRange,
    PermissionDenied,
    ResourceExhausted,
    SessionEnded,
    Unauthenticated,
    Unavailable,
    Unimplemented,
    Unknown,
    WaitTimeout,
)
from hotdesk.v1.agent_pb2 import Agent, AgentState, Capacity, EnrollmentRole
from hotdesk.v1.api_key_pb2 import ApiKey, ApiKeyScope
from hotdesk.v1.audit_pb2 import AuditEvent
from hotdesk.v1.group_pb2 import Group
from hotdesk.v1.session_pb2 import Session, SessionState
from hotdesk.v1.user_pb2 import Role, User
from hotdesk.v1.workspace_pb2 import ContainerSpec, CpuAllocationMethod, VolumeMapping, Workspace, WorkspaceKind
from hotdesk.v1.zone_pb2 import ProxyMode, Zone

__version__ = "0.1.0"

__all__ = [
    "Client", "ENDED_STATES",
    "HotdeskError", "Aborted", "AlreadyExists", "Cancelled", "DataLoss", "DeadlineExceeded", "FailedPrecondition",
    "Internal", "InvalidArgument", "NotFound", "OutOfRange", "PermissionDenied", "ResourceExhausted",
    "Unauthenticated", "Unavailable", "Unimplemented", "Unknown", "SessionEnded", "WaitTimeout",
    "Agent", "AgentState", "Capacity", "EnrollmentRole", "ApiKey", "ApiKeyScope", "AuditEvent", "Group",
    "Session", "SessionState", "Role", "User", "ContainerSpec", "CpuAllocationMethod", "VolumeMapping",
    "Workspace", "WorkspaceKind", "ProxyMode", "Zone",
]
