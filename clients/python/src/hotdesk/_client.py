"""The client: one gRPC channel, a wrapper per service, pagination and session watching."""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import Iterable, Iterator, Optional, Sequence, Union
from urllib.parse import urlsplit

import grpc
from google.protobuf import field_mask_pb2, timestamp_pb2

from hotdesk import _errors
from hotdesk.v1 import (
    agent_pb2,
    agent_pb2_grpc,
    api_key_pb2,
    api_key_pb2_grpc,
    audit_pb2,
    audit_pb2_grpc,
    auth_pb2,
    auth_pb2_grpc,
    group_pb2,
    group_pb2_grpc,
    session_pb2,
    session_pb2_grpc,
    user_pb2,
    user_pb2_grpc,
    workspace_pb2,
    workspace_pb2_grpc,
    zone_pb2,
    zone_pb2_grpc,
)

__all__ = ["Client", "ENDED_STATES"]

#: Session states that never change again.
ENDED_STATES = frozenset(
    {session_pb2.SESSION_STATE_STOPPED, session_pb2.SESSION_STATE_FAILED, session_pb2.SESSION_STATE_LOST}
)

# Reads (Get*, List*, Watch* before its first message) are retried on UNAVAILABLE: the server
# restarting or a connection lost before the call reached it. Changes are never retried blindly.
_READ_SERVICES = {
    "hotdesk.v1.AuthService": ["GetCurrentUser"],
    "hotdesk.v1.WorkspaceService": ["GetWorkspace", "ListWorkspaces", "ListImageStatuses"],
    "hotdesk.v1.SessionService": ["GetSession", "ListSessions", "WatchSession"],
    "hotdesk.v1.AgentService": ["GetAgent", "ListAgents"],
    "hotdesk.v1.ZoneService": ["GetZone", "ListZones"],
    "hotdesk.v1.UserService": ["GetUser", "ListUsers"],
    "hotdesk.v1.GroupService": ["GetGroup", "ListGroups"],
    "hotdesk.v1.ApiKeyService": ["GetApiKey", "ListApiKeys"],
    "hotdesk.v1.AuditService": ["ListAuditEvents"],
}
_SERVICE_CONFIG = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{"service": s, "method": m} for s, ms in _READ_SERVICES.items() for m in ms],
                "retryPolicy": {
                    "maxAttempts": 5,
                    "initialBackoff": "0.1s",
                    "maxBackoff": "2s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }
)

# Keepalive: ping an idle connection every 30 s (the server accepts every 10 s or slower) and
# drop it when a ping goes unanswered for 10 s, so a dead path is noticed while a watch waits.
_CHANNEL_OPTIONS = [
    ("grpc.service_config", _SERVICE_CONFIG),
    ("grpc.enable_retries", 1),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.primary_user_agent", "hotdesk-python/0.1.0"),
]

_TRANSIENT = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED, grpc.StatusCode.DEADLINE_EXCEEDED}


def _parse_addr(addr: str) -> tuple[str, Optional[bool]]:
    """Returns the gRPC target and whether the address asks for TLS (None: not said)."""
    if not addr:
        raise ValueError("hotdesk: empty server address")
    if "://" not in addr:
        return addr, None
    u = urlsplit(addr)
    if u.scheme not in ("http", "https"):
        return addr, None  # a gRPC target such as dns:///host:port or unix:///path
    if u.path not in ("", "/"):
        raise ValueError(f"hotdesk: server address {addr!r}: a gRPC server has no path")
    port = u.port or (443 if u.scheme == "https" else 80)
    host = u.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}", u.scheme == "https"


def _request_id() -> str:
    return str(uuid.uuid4())


def _state(value: Union[int, str]) -> int:
    """Accepts SESSION_STATE_RUNNING (the enum value), "RUNNING", "running" or the full name."""
    if isinstance(value, int):
        return value
    name = value.strip().upper().replace("-", "_")
    if not name.startswith("SESSION_STATE_"):
        name = "SESSION_STATE_" + name
    return session_pb2.SessionState.Value(name)


def _mask(paths: Optional[Iterable[str]]) -> Optional[field_mask_pb2.FieldMask]:
    paths = list(paths or [])
    return field_mask_pb2.FieldMask(paths=paths) if paths else None


class Client:
    """A connection to a Hotdesk server.

    ``addr`` is ``"host:port"``, ``"http://host:port"`` or ``"https://host[:port]"`` (TLS).
    Authenticate with ``api_key=`` (``hdk_…``) or ``token=`` (``hdt_…``), or call
    ``client.auth.login(username, password)``. ``secure`` forces TLS on or off;
    ``root_certificates`` (PEM bytes) replaces the system's roots. ``timeout`` (seconds) bounds
    each unary call.

    Use it as a context manager, or call ``close()``::

        with hotdesk.Client("http://127.0.0.1:8080", api_key=key) as client:
            for w in client.workspaces.list():
                print(w.name)
    """

    def __init__(
        self,
        addr: str,
        *,
        api_key: Optional[str] = None,
        token: Optional[str] = None,
        secure: Optional[bool] = None,
        root_certificates: Optional[bytes] = None,
        timeout: float = 30.0,
        options: Sequence[tuple] = (),
    ):
        target, wants_tls = _parse_addr(addr)
        if secure is None:
            secure = bool(wants_tls) or root_certificates is not None
        opts = _CHANNEL_OPTIONS + list(options)
        if secure:
            creds = grpc.ssl_channel_credentials(root_certificates=root_certificates)
            self._channel = grpc.secure_channel(target, creds, options=opts)
        else:
            self._channel = grpc.insecure_channel(target, options=opts)
        self.addr = addr
        self.timeout = timeout
        self._credential = api_key or token or ""

        self.auth = AuthService(self, auth_pb2_grpc.AuthServiceStub(self._channel))
        self.workspaces = Workspaces(self, workspace_pb2_grpc.WorkspaceServiceStub(self._channel))
        self.sessions = Sessions(self, session_pb2_grpc.SessionServiceStub(self._channel))
        self.agents = Agents(self, agent_pb2_grpc.AgentServiceStub(self._channel))
        self.zones = Zones(self, zone_pb2_grpc.ZoneServiceStub(self._channel))
        self.users = Users(self, user_pb2_grpc.UserServiceStub(self._channel))
        self.groups = Groups(self, group_pb2_grpc.GroupServiceStub(self._channel))
        self.api_keys = ApiKeys(self, api_key_pb2_grpc.ApiKeyServiceStub(self._channel))
        self.audit = Audit(self, audit_pb2_grpc.AuditServiceStub(self._channel))

    @property
    def channel(self) -> grpc.Channel:
        """The underlying gRPC channel, for stubs the SDK has no wrapper for."""
        return self._channel

    def metadata(self) -> list[tuple[str, str]]:
        """The call metadata carrying the credential (for calls through raw stubs)."""
        return [("authorization", f"Bearer {self._credential}")] if self._credential else []

    def set_credential(self, credential: str) -> None:
        """Uses another API key or login token for the following calls."""
        self._credential = credential

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Service:
    def __init__(self, client: Client, stub):
        self._client = client
        self._stub = stub

    def _call(self, method: str, request, timeout: Optional[float] = None):
        try:
            return getattr(self._stub, method)(
                request, metadata=self._client.metadata(), timeout=timeout or self._client.timeout
            )
        except grpc.RpcError as e:
            raise _errors.from_rpc_error(e) from None

    def _pages(self, method: str, request, field: str) -> Iterator:
        """Yields the items of every page of a List call."""
        request.page_token = ""
        while True:
            resp = self._call(method, request)
            yield from getattr(resp, field)
            if not resp.next_page_token or resp.next_page_token == request.page_token:
                return
            request.page_token = resp.next_page_token


def _message(cls, value=None, **fields):
    """A message from an instance (copied) or from keyword fields."""
    if value is not None:
        if not isinstance(value, cls):
            raise TypeError(f"expected {cls.__name__}, got {type(value).__name__}")
        m = cls()
        m.CopyFrom(value)
        for k, v in fields.items():
            _set(m, k, v)
        return m
    m = cls()
    for k, v in fields.items():
        _set(m, k, v)
    return m


def _set(m, name, value):
    field = getattr(m, name)
    if hasattr(field, "CopyFrom") and not isinstance(value, (str, bytes, int, float, bool)):
        if isinstance(value, dict):
            field.Clear()
            for k, v in value.items():
                _set(field, k, v)
        else:
            field.CopyFrom(value)
    elif hasattr(field, "extend") and not isinstance(value, (str, bytes)):
        del field[:]
        field.extend(value)
    else:
        setattr(m, name, value)


class _Updatable(_Service):
    _cls: type
    _field: str  # request field holding the resource, e.g. "workspace"

    def _update(self, method, request_cls, resource, paths, fields):
        if isinstance(resource, str):
            m = _message(self._cls, id=resource, **fields)
        else:
            m = _message(self._cls, resource, **fields)
        if paths is None:
            paths = list(fields)  # the keyword fields given; none means every writable field
        req = request_cls(**{self._field: m})
        mask = _mask(paths)
        if mask is not None:
            req.update_mask.CopyFrom(mask)
        return getattr(self._call(method, req), self._field)


class AuthService(_Service):
    """Signing in and out, and changing one's own password."""

    def login(self, username: str, password: str) -> auth_pb2.LoginResponse:
        """Exchanges a user name and password for a token, which the client then uses."""
        resp = self._call("Login", auth_pb2.LoginRequest(username=username, password=password))
        self._client.set_credential(resp.token)
        return resp

    def logout(self) -> None:
        """Revokes the login token the client uses."""
        self._call("Logout", auth_pb2.LogoutRequest())

    def me(self) -> user_pb2.User:
        """The user the client's credential belongs to."""
        return self._call("GetCurrentUser", auth_pb2.GetCurrentUserRequest()).user

    def change_password(self, current_password: str, new_password: str) -> auth_pb2.ChangePasswordResponse:
        """Changes the signed-in user's own password and signs out their other sign-ins.

        The client's own login token keeps working. Needs a login token (``login()`` or
        ``token=``): an API key raises ``PermissionDenied``. A wrong current password raises
        ``InvalidArgument`` with ``field == "current_password"``.
        """
        return self._call(
            "ChangePassword",
            auth_pb2.ChangePasswordRequest(current_password=current_password, new_password=new_password),
        )


class Workspaces(_Updatable):
    """The catalog of launchable workspaces."""

    _cls, _field = workspace_pb2.Workspace, "workspace"

    def get(self, id: str) -> workspace_pb2.Workspace:
        return self._call("GetWorkspace", workspace_pb2.GetWorkspaceRequest(id=id)).workspace

    def list(self, *, page_size: int = 0) -> Iterator[workspace_pb2.Workspace]:
        """Every workspace the caller may see, page after page."""
        return self._pages("ListWorkspaces", workspace_pb2.ListWorkspacesRequest(page_size=page_size), "workspaces")

    def create(self, workspace=None, *, request_id: Optional[str] = None, **fields) -> workspace_pb2.Workspace:
        """Creates a workspace from a Workspace message or keyword fields
        (``name=..., kind=hotdesk.WORKSPACE_KIND_CONTAINER, container={"image": ..., "cores": 2}``)."""
        w = _message(workspace_pb2.Workspace, workspace, **fields)
        req = workspace_pb2.CreateWorkspaceRequest(workspace=w, request_id=request_id or _request_id())
        return self._call("CreateWorkspace", req).workspace

    def update(self, workspace, *, paths: Optional[Sequence[str]] = None, **fields) -> workspace_pb2.Workspace:
        """Changes a workspace (an id or a Workspace message). With keyword fields, only those
        change; ``paths`` names fields explicitly, e.g. ``["container.cores"]``."""
        return self._update("UpdateWorkspace", workspace_pb2.UpdateWorkspaceRequest, workspace, paths, fields)

    def delete(self, id: str) -> None:
        self._call("DeleteWorkspace", workspace_pb2.DeleteWorkspaceRequest(id=id))

    def image_statuses(self, *, workspace_id: str = "", agent_id: str = "", page_size: int = 0) -> Iterator:
        """Where each workspace's image stands on each agent (administrators)."""
        req = workspace_pb2.ListImageStatusesRequest(workspace_id=workspace_id, agent_id=agent_id, page_size=page_size)
        return self._pages("ListImageStatuses", req, "image_statuses")


class Sessions(_Service):
    """Launching, watching, keeping alive and destroying sessions."""

    def launch(self, workspace_id: str, *, zone_id: str = "", request_id: Optional[str] = None) -> session_pb2.Session:
        """Launches a session; it comes back PENDING or STARTING. ``wait()`` for it to run."""
        req = session_pb2.CreateSessionRequest(
            workspace_id=workspace_id, zone_id=zone_id, request_id=request_id or _request_id()
        )
        return self._call("CreateSession", req).session

    def get(self, id: str) -> session_pb2.Session:
        return self._call("GetSession", session_pb2.GetSessionRequest(id=id)).session

    def list(
        self,
        *,
        user_id: str = "",
        workspace_id: str = "",
        agent_id: str = "",
        include_ended: bool = False,
        page_size: int = 0,
    ) -> Iterator[session_pb2.Session]:
        """Sessions, newest first: the caller's own, or anyone's (administrators) with filters."""
        req = session_pb2.ListSessionsRequest(
            user_id=user_id, workspace_id=workspace_id, agent_id=agent_id, include_ended=include_ended,
            page_size=page_size,
        )
        return self._pages("ListSessions", req, "sessions")

    def keep_alive(self, id: str) -> session_pb2.Session:
        """Pushes the session's idle deadline out."""
        return self._call("KeepAliveSession", session_pb2.KeepAliveSessionRequest(id=id)).session

    def delete(self, id: str) -> None:
        """Destroys a session; it goes STOPPING, then STOPPED."""
        self._call("DeleteSession", session_pb2.DeleteSessionRequest(id=id))

    destroy = delete

    def watch(self, id: str, *, timeout: Optional[float] = None) -> Iterator[session_pb2.Session]:
        """Yields the session as it is now, then at every change, until it ends (STOPPED,
        FAILED, LOST). A stream broken by a transient error is reopened after a short backoff;
        a state already yielded is not yielded again. ``timeout`` (seconds) bounds the whole
        watch (DeadlineExceeded)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        last = None
        backoff = 0.1
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise _errors.DeadlineExceeded(f"watching session {id}: timed out", code=grpc.StatusCode.DEADLINE_EXCEEDED)
            call = self._stub.WatchSession(
                session_pb2.WatchSessionRequest(id=id), metadata=self._client.metadata(), timeout=remaining
            )
            try:
                for msg in call:
                    backoff = 0.1
                    if last is not None and msg.session == last:
                        continue  # the snapshot a resumed stream starts with
                    last = msg.session
                    yield msg.session
                if last is not None and last.state in ENDED_STATES:
                    return
                # Closed early by a proxy or a server going away: resume.
            except grpc.RpcError as e:
                err = _errors.from_rpc_error(e)
                expired = deadline is not None and time.monotonic() >= deadline
                if err.code not in _TRANSIENT or expired:
                    raise err from None
            finally:
                call.cancel()
            time.sleep(backoff / 2 + random.random() * backoff / 2)
            backoff = min(backoff * 2, 5.0)

    def wait(self, id: str, state: Union[int, str] = "RUNNING", timeout: Optional[float] = 600) -> session_pb2.Session:
        """Watches the session (no polling) until it reaches ``state`` and returns it.

        Raises ``SessionEnded`` if it ends in another state first and ``WaitTimeout`` (a
        TimeoutError) after ``timeout`` seconds."""
        want = _state(state)
        last = None
        try:
            for s in self.watch(id, timeout=timeout):
                last = s
                if s.state == want:
                    return s
                if s.state in ENDED_STATES:
                    raise _errors.SessionEnded(s, want)
        except _errors.DeadlineExceeded:
            raise _errors.WaitTimeout(
                f"session {id} is not {session_pb2.SessionState.Name(want)} after {timeout}s", last
            ) from None
        raise _errors.SessionEnded(last, want) if last is not None else _errors.NotFound(f"session {id} not found")


class Agents(_Updatable):
    """Administration of agents (administrators only)."""

    _cls, _field = agent_pb2.Agent, "agent"

    def get(self, id: str) -> agent_pb2.Agent:
        return self._call("GetAgent", agent_pb2.GetAgentRequest(id=id)).agent

    def list(self, *, zone_id: str = "", state: int = 0, page_size: int = 0) -> Iterator[agent_pb2.Agent]:
        req = agent_pb2.ListAgentsRequest(zone_id=zone_id, state=state, page_size=page_size)
        return self._pages("ListAgents", req, "agents")

    def update(self, agent, *, paths: Optional[Sequence[str]] = None, **fields) -> agent_pb2.Agent:
        """Changes enabled, zone_id, pool_id or overrides (``paths=["overrides.cores"]``)."""
        return self._update("UpdateAgent", agent_pb2.UpdateAgentRequest, agent, paths, fields)

    def drain(self, id: str) -> agent_pb2.Agent:
        """Disables an agent: no new sessions; running ones continue."""
        return self.update(id, enabled=False)

    def enable(self, id: str) -> agent_pb2.Agent:
        return self.update(id, enabled=True)

    def delete(self, id: str, *, force: bool = False) -> None:
        self._call("DeleteAgent", agent_pb2.DeleteAgentRequest(id=id, force=force))

    def create_enrollment_token(
        self, *, zone_id: str = "", role: int = 0, ttl_seconds: int = 0
    ) -> agent_pb2.CreateEnrollmentTokenResponse:
        """A one-time token with which a new agent or proxy enrolls (shown only here)."""
        req = agent_pb2.CreateEnrollmentTokenRequest(zone_id=zone_id, role=role, ttl_seconds=ttl_seconds)
        return self._call("CreateEnrollmentToken", req)


class Zones(_Updatable):
    _cls, _field = zone_pb2.Zone, "zone"

    def get(self, id: str) -> zone_pb2.Zone:
        return self._call("GetZone", zone_pb2.GetZoneRequest(id=id)).zone

    def list(self, *, page_size: int = 0) -> Iterator[zone_pb2.Zone]:
        return self._pages("ListZones", zone_pb2.ListZonesRequest(page_size=page_size), "zones")

    def create(self, zone=None, *, request_id: Optional[str] = None, **fields) -> zone_pb2.Zone:
        z = _message(zone_pb2.Zone, zone, **fields)
        return self._call("CreateZone", zone_pb2.CreateZoneRequest(zone=z, request_id=request_id or _request_id())).zone

    def update(self, zone, *, paths: Optional[Sequence[str]] = None, **fields) -> zone_pb2.Zone:
        return self._update("UpdateZone", zone_pb2.UpdateZoneRequest, zone, paths, fields)

    def delete(self, id: str) -> None:
        self._call("DeleteZone", zone_pb2.DeleteZoneRequest(id=id))


class Users(_Updatable):
    _cls, _field = user_pb2.User, "user"

    def get(self, id: str) -> user_pb2.User:
        return self._call("GetUser", user_pb2.GetUserRequest(id=id)).user

    def list(self, *, page_size: int = 0) -> Iterator[user_pb2.User]:
        return self._pages("ListUsers", user_pb2.ListUsersRequest(page_size=page_size), "users")

    def create(self, user=None, *, request_id: Optional[str] = None, **fields) -> user_pb2.User:
        u = _message(user_pb2.User, user, **fields)
        return self._call("CreateUser", user_pb2.CreateUserRequest(user=u, request_id=request_id or _request_id())).user

    def update(self, user, *, paths: Optional[Sequence[str]] = None, **fields) -> user_pb2.User:
        return self._update("UpdateUser", user_pb2.UpdateUserRequest, user, paths, fields)

    def delete(self, id: str) -> None:
        self._call("DeleteUser", user_pb2.DeleteUserRequest(id=id))


class Groups(_Updatable):
    _cls, _field = group_pb2.Group, "group"

    def get(self, id: str) -> group_pb2.Group:
        return self._call("GetGroup", group_pb2.GetGroupRequest(id=id)).group

    def list(self, *, page_size: int = 0) -> Iterator[group_pb2.Group]:
        return self._pages("ListGroups", group_pb2.ListGroupsRequest(page_size=page_size), "groups")

    def create(self, group=None, *, request_id: Optional[str] = None, **fields) -> group_pb2.Group:
        g = _message(group_pb2.Group, group, **fields)
        return self._call("CreateGroup", group_pb2.CreateGroupRequest(group=g, request_id=request_id or _request_id())).group

    def update(self, group, *, paths: Optional[Sequence[str]] = None, **fields) -> group_pb2.Group:
        return self._update("UpdateGroup", group_pb2.UpdateGroupRequest, group, paths, fields)

    def delete(self, id: str) -> None:
        self._call("DeleteGroup", group_pb2.DeleteGroupRequest(id=id))


class ApiKeys(_Service):
    """API keys: users manage their own, administrators everyone's."""

    def get(self, id: str) -> api_key_pb2.ApiKey:
        return self._call("GetApiKey", api_key_pb2.GetApiKeyRequest(id=id)).api_key

    def list(self, *, user_id: str = "", page_size: int = 0) -> Iterator[api_key_pb2.ApiKey]:
        req = api_key_pb2.ListApiKeysRequest(user_id=user_id, page_size=page_size)
        return self._pages("ListApiKeys", req, "api_keys")

    def create(
        self,
        name: str,
        *,
        scope: int = api_key_pb2.API_KEY_SCOPE_FULL,
        expire_time=None,
        request_id: Optional[str] = None,
    ) -> api_key_pb2.CreateApiKeyResponse:
        """Creates a key for the caller; the response's ``secret`` is shown only here.
        ``expire_time`` is a datetime or a Timestamp."""
        key = api_key_pb2.ApiKey(name=name, scope=scope)
        if expire_time is not None:
            if isinstance(expire_time, timestamp_pb2.Timestamp):
                key.expire_time.CopyFrom(expire_time)
            else:
                key.expire_time.FromDatetime(expire_time)
        req = api_key_pb2.CreateApiKeyRequest(api_key=key, request_id=request_id or _request_id())
        return self._call("CreateApiKey", req)

    def delete(self, id: str) -> None:
        self._call("DeleteApiKey", api_key_pb2.DeleteApiKeyRequest(id=id))


class Audit(_Service):
    """The audit log (administrators only)."""

    def list(self, *, user_id: str = "", page_size: int = 0) -> Iterator[audit_pb2.AuditEvent]:
        """Audit events, newest first."""
        req = audit_pb2.ListAuditEventsRequest(user_id=user_id, page_size=page_size)
        return self._pages("ListAuditEvents", req, "events")
