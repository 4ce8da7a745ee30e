import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import uuid

import grpc
import pytest

import hotdesk
from hotdesk.v1 import session_pb2, workspace_pb2

MISSING = "00000000-0000-4000-8000-000000000000"
ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_session_lifecycle(client, server):
    s = client.sessions.launch(server["workspace_id"])
    assert s.id and s.workspace_id == server["workspace_id"]
    run = client.sessions.wait(s.id, "RUNNING", timeout=30)
    assert run.state == hotdesk.SessionState.Value("SESSION_STATE_RUNNING")
    assert run.agent_id and run.HasField("start_time")
    kept = client.sessions.keep_alive(s.id)
    assert kept.HasField("expire_time")
    assert s.id in [x.id for x in client.sessions.list(page_size=1)]
    client.sessions.delete(s.id)
    end = client.sessions.wait(s.id, session_pb2.SESSION_STATE_STOPPED, timeout=30)
    assert end.HasField("end_time")
    # An ended session never runs again: wait fails at once, not at the timeout.
    started = time.monotonic()
    with pytest.raises(hotdesk.SessionEnded) as exc:
        client.sessions.wait(s.id, "running", timeout=30)
    assert exc.value.session.state == session_pb2.SESSION_STATE_STOPPED
    assert time.monotonic() - started < 10
    assert s.id in [x.id for x in client.sessions.list(include_ended=True)]


def test_watch_yields_changes_until_the_end(client, server):
    s = client.sessions.launch(server["workspace_id"])
    states = []
    for snap in client.sessions.watch(s.id, timeout=30):
        states.append(snap.state)
        if snap.state == session_pb2.SESSION_STATE_RUNNING:
            client.sessions.destroy(s.id)
    assert states[-1] == session_pb2.SESSION_STATE_STOPPED
    assert session_pb2.SESSION_STATE_RUNNING in states
    assert len(states) == len(set(states)), f"a state was repeated: {states}"


def test_not_found(client):
    with pytest.raises(hotdesk.NotFound) as exc:
        client.workspaces.get(MISSING)
    e = exc.value
    assert isinstance(e, hotdesk.HotdeskError)
    assert e.code == grpc.StatusCode.NOT_FOUND
    assert e.message == f'workspace "{MISSING}" not found'
    assert e.reason == "NOT_FOUND"
    assert str(e) == f'NotFound: workspace "{MISSING}" not found'


def test_invalid_argument(client):
    with pytest.raises(hotdesk.InvalidArgument) as exc:
        client.sessions.get("not-a-uuid")
    e = exc.value
    assert e.code == grpc.StatusCode.INVALID_ARGUMENT
    assert e.field == "id"
    assert "UUID" in e.message
    assert e.violations and e.violations[0][0] == "id"
    with pytest.raises(hotdesk.InvalidArgument):
        list(client.zones.list(page_size=5000))


def test_permission_denied_and_unauthenticated(client, server):
    created = client.api_keys.create("read-only " + uuid.uuid4().hex[:6], scope=hotdesk.ApiKeyScope.Value("API_KEY_SCOPE_READ_ONLY"))
    try:
        with hotdesk.Client(server["base_url"], api_key=created.secret) as ro:
            assert ro.workspaces.get(server["workspace_id"]).id == server["workspace_id"]
            with pytest.raises(hotdesk.PermissionDenied) as exc:
                ro.sessions.launch(server["workspace_id"])
            assert exc.value.code == grpc.StatusCode.PERMISSION_DENIED
            assert exc.value.message and exc.value.reason
    finally:
        client.api_keys.delete(created.api_key.id)
    with hotdesk.Client(server["base_url"], api_key="hdk_wrong") as bad:
        with pytest.raises(hotdesk.Unauthenticated):
            bad.auth.me()


def test_pagination(client):
    prefix = "py-" + uuid.uuid4().hex[:8]
    ids = {client.zones.create(name=f"{prefix}-{i}").id for i in range(5)}
    try:
        listed = [z.id for z in client.zones.list(page_size=2)]
        assert ids <= set(listed)
        assert len(listed) == len(set(listed))
        it = client.zones.list(page_size=2)
        first = [next(it) for _ in range(3)]
        assert len(first) == 3
    finally:
        for i in ids:
            client.zones.delete(i)


def test_crud_helpers(client, server):
    me = client.auth.me()
    assert me.role == hotdesk.Role.Value("ROLE_ADMIN")
    w = client.workspaces.create(
        name="py-" + uuid.uuid4().hex[:8],
        kind=hotdesk.WorkspaceKind.Value("WORKSPACE_KIND_CONTAINER"),
        enabled=True,
        container={"image": "hotdesk/sim-desktop:1", "cores": 1, "memory_mb": 512},
    )
    w2 = client.workspaces.update(w.id, description="changed")
    assert w2.description == "changed" and w2.name == w.name and w2.container.cores == 1
    w3 = client.workspaces.update(w.id, paths=["container.cores"], container={"cores": 2})
    assert w3.container.cores == 2 and w3.container.image == "hotdesk/sim-desktop:1"
    assert w.id in [x.id for x in client.workspaces.list()]
    client.workspaces.delete(w.id)
    with pytest.raises(hotdesk.NotFound):
        client.workspaces.get(w.id)

    u = client.users.create(username="py" + uuid.uuid4().hex[:8], password="password-123", role=hotdesk.Role.Value("ROLE_USER"))
    g = client.groups.create(name="g-" + u.username, member_ids=[u.id], workspace_ids=[server["workspace_id"]])
    assert list(g.member_ids) == [u.id]
    with hotdesk.Client(server["base_url"]) as uc:
        uc.auth.login(u.username, "password-123")
        assert uc.workspaces.get(server["workspace_id"]).id == server["workspace_id"]
        with pytest.raises(hotdesk.PermissionDenied):
            list(uc.agents.list())
        uc.auth.logout()
        with pytest.raises(hotdesk.Unauthenticated):
            uc.auth.me()
    client.groups.delete(g.id)
    client.users.update(u.id, display_name="Renamed")
    assert client.users.get(u.id).display_name == "Renamed"
    client.users.delete(u.id)

    agents = list(client.agents.list())
    assert any(a.id == server["agent_ids"][0] for a in agents)
    tok = client.agents.create_enrollment_token(ttl_seconds=120)
    assert tok.token.startswith("hde_")
    assert len(list(client.audit.list(page_size=10))) > 0


def test_change_password(client, server):
    u = client.users.create(username="py" + uuid.uuid4().hex[:8], password="old password 1", role=hotdesk.Role.Value("ROLE_USER"))
    try:
        with hotdesk.Client(server["base_url"]) as uc, hotdesk.Client(server["base_url"]) as other:
            uc.auth.login(u.username, "old password 1")
            other.auth.login(u.username, "old password 1")
            with pytest.raises(hotdesk.InvalidArgument) as exc:
                uc.auth.change_password("not it", "new password 2")
            assert exc.value.field == "current_password"
            with pytest.raises(hotdesk.InvalidArgument) as exc:
                uc.auth.change_password("old password 1", "short")
            assert exc.value.violations and exc.value.violations[0][0] == "new_password"
            with pytest.raises(hotdesk.PermissionDenied):
                client.auth.change_password("anything", "new password 2")
            assert other.auth.me().username == u.username

            resp = uc.auth.change_password("old password 1", "new password 2")
            assert resp.revoked_login_count == 1
            assert uc.auth.me().username == u.username
            with pytest.raises(hotdesk.Unauthenticated):
                other.auth.me()
            with pytest.raises(hotdesk.Unauthenticated):
                other.auth.login(u.username, "old password 1")
            assert other.auth.login(u.username, "new password 2").user.id == u.id
    finally:
        client.users.delete(u.id)


def test_drain_agent(client, server):
    agent = server["agent_ids"][0]
    assert not client.agents.drain(agent).enabled
    try:
        with pytest.raises(hotdesk.HotdeskError) as exc:
            client.sessions.launch(server["workspace_id"])
        assert exc.value.message
    finally:
        assert client.agents.enable(agent).enabled


class _Proxy:
    """Relays TCP to the server and can cut every relayed connection at once."""

    def __init__(self, target):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.lis = socket.create_server(("127.0.0.1", 0))
        self.addr = "127.0.0.1:%d" % self.lis.getsockname()[1]
        self.conns = []
        self.accepted = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.lis.accept()
            except OSError:
                return
            up = socket.create_connection(self.target)
            with self.lock:
                self.accepted += 1
                self.conns += [c, up]
            for a, b in ((c, up), (up, c)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        with self.lock:
            for s in self.conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
                except OSError:
                    pass
            self.conns = []

    def close(self):
        self.lis.close()
        self.cut()


def test_watch_reconnects(client, server):
    proxy = _Proxy(server["addr"])
    try:
        with hotdesk.Client(proxy.addr, api_key=server["api_key"]) as via:
            s = via.sessions.launch(server["workspace_id"])
            via.sessions.wait(s.id, "RUNNING", timeout=30)
            states = []
            for snap in via.sessions.watch(s.id, timeout=60):
                states.append(snap.state)
                if len(states) == 1:
                    proxy.cut()
                    time.sleep(0.2)
                    client.sessions.delete(s.id)
            assert states[0] == session_pb2.SESSION_STATE_RUNNING
            assert states[-1] == session_pb2.SESSION_STATE_STOPPED
            assert states.count(session_pb2.SESSION_STATE_RUNNING) == 1
            assert proxy.accepted >= 2
    finally:
        proxy.close()


def test_address_forms():
    from hotdesk._client import _parse_addr

    assert _parse_addr("127.0.0.1:8080") == ("127.0.0.1:8080", None)
    assert _parse_addr("http://127.0.0.1:8080") == ("127.0.0.1:8080", False)
    assert _parse_addr("https://hotdesk.example.com") == ("hotdesk.example.com:443", True)
    with pytest.raises(ValueError):
        _parse_addr("http://host:1/path")


def test_generated_modules_import():
    from buf.validate import validate_pb2  # noqa: F401
    from hotdesk.v1 import pool_pb2_grpc, server_pb2_grpc  # noqa: F401

    assert workspace_pb2.Workspace.DESCRIPTOR.full_name == "hotdesk.v1.Workspace"


def test_quickstart(server):
    env = dict(os.environ, HOTDESK_SERVER=server["base_url"], HOTDESK_API_KEY=server["api_key"],
               HOTDESK_WORKSPACE=server["workspace_id"])
    script = ROOT / "clients/python/examples/quickstart.py"
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    for want in ("launched session", "connect URL:", "destroyed"):
        assert want in out.stdout
    assert script.read_text() in (ROOT / "README.md").read_text(), "README.md does not show examples/quickstart.py verbatim"
