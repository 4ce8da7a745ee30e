// Tests of the TypeScript SDK against a live server: the one HOTDESK_TEST_SERVER (a JSON file
// written by server/internal/testserver) describes, or one started here with `go run`.
import assert from "node:assert/strict";
import { spawn, execFile } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { promisify } from "node:util";

import {
  ApiKeyScope,
  Client,
  Code,
  HotdeskError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  PoolService,
  Role,
  SessionEndedError,
  SessionState,
  UnauthenticatedError,
  UnimplementedError,
  WorkspaceKind,
  collect,
} from "@hotdesk/client";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const MISSING = "00000000-0000-4000-8000-000000000000";

interface Server {
  addr: string;
  base_url: string;
  api_key: string;
  admin_username: string;
  admin_password: string;
  workspace_id: string;
  agent_ids: string[];
}

let server: Server;
let child: ChildProcess | undefined;
let client: Client;

before(async () => {
  const file = process.env.HOTDESK_TEST_SERVER;
  if (file) {
    server = JSON.parse(readFileSync(file, "utf8")) as Server;
  } else {
    child = spawn("go", ["run", "./server/internal/testserver", "--exit-on-stdin-eof"], {
      cwd: root,
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once("line", resolve);
      child!.once("exit", (code) => reject(new Error(`test server exited (${code})`)));
    });
    server = JSON.parse(first) as Server;
  }
  client = new Client({ baseUrl: server.base_url, apiKey: server.api_key });
});

after(async () => {
  if (child) {
    child.stdin!.end();
    await new Promise((r) => child!.once("exit", r));
  }
});

describe("sessions", () => {
  test("launch, wait, keepalive, list, destroy", async () => {
    const s = await client.sessions.launch(server.workspace_id);
    assert.equal(s.workspaceId, server.workspace_id);
    const run = await client.sessions.wait(s.id, SessionState.RUNNING, { timeoutMs: 30_000 });
    assert.equal(run.state, SessionState.RUNNING);
    assert.ok(run.agentId && run.startTime);
    const kept = await client.sessions.keepAlive(s.id);
    assert.ok(kept.expireTime);
    const ids = (await collect(client.sessions.list({ pageSize: 1 }))).map((x) => x.id);
    assert.ok(ids.includes(s.id));
    await client.sessions.delete(s.id);
    const end = await client.sessions.wait(s.id, "STOPPED", { timeoutMs: 30_000 });
    assert.ok(end.endTime);
    await assert.rejects(client.sessions.wait(s.id, SessionState.RUNNING, { timeoutMs: 30_000 }), (err: unknown) => {
      assert.ok(err instanceof SessionEndedError);
      assert.equal(err.session.state, SessionState.STOPPED);
      return true;
    });
    const all = (await collect(client.sessions.list({ includeEnded: true }))).map((x) => x.id);
    assert.ok(all.includes(s.id));
  });

  test("watch yields each change once, until the session ends", async () => {
    const s = await client.sessions.launch(server.workspace_id);
    const states: SessionState[] = [];
    for await (const snap of client.sessions.watch(s.id, { timeoutMs: 30_000 })) {
      states.push(snap.state);
      if (snap.state === SessionState.RUNNING) await client.sessions.delete(s.id);
    }
    assert.equal(states.at(-1), SessionState.STOPPED);
    assert.ok(states.includes(SessionState.RUNNING));
    assert.equal(new Set(states).size, states.length, `a state was repeated: ${states}`);
  });

  test("watch reconnects after its connection is cut", async () => {
    const proxy = await startProxy(server.addr);
    try {
      const via = new Client({ baseUrl: `http://${proxy.addr}`, apiKey: server.api_key });
      const s = await via.sessions.launch(server.workspace_id);
      await via.sessions.wait(s.id, SessionState.RUNNING, { timeoutMs: 30_000 });
      const states: SessionState[] = [];
      for await (const snap of via.sessions.watch(s.id, { timeoutMs: 60_000 })) {
        states.push(snap.state);
        if (states.length === 1) {
          proxy.cut();
          await new Promise((r) => setTimeout(r, 200));
          await client.sessions.delete(s.id);
        }
      }
      assert.equal(states[0], SessionState.RUNNING);
      assert.equal(states.at(-1), SessionState.STOPPED);
      assert.equal(states.filter((x) => x === SessionState.RUNNING).length, 1);
      assert.ok(proxy.accepted() >= 2, "the watch did not reconnect");
    } finally {
      proxy.close();
    }
  });

  test("breaking out of a watch closes it", async () => {
    const s = await client.sessions.launch(server.workspace_id);
    for await (const snap of client.sessions.watch(s.id)) {
      assert.ok(snap.id === s.id);
      break;
    }
    await client.sessions.delete(s.id);
  });
});

describe("errors", () => {
  test("NotFound keeps the server's message and reason", async () => {
    await assert.rejects(client.workspaces.get(MISSING), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.ok(err instanceof HotdeskError);
      assert.equal(err.code, Code.NOT_FOUND);
      assert.equal(err.codeName, "NOT_FOUND");
      assert.equal(err.message, `workspace "${MISSING}" not found`);
      assert.equal(err.reason, "NOT_FOUND");
      assert.equal(err.httpStatus, 404);
      return true;
    });
  });

  test("InvalidArgument names the field", async () => {
    await assert.rejects(client.sessions.get("not-a-uuid"), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.equal(err.code, Code.INVALID_ARGUMENT);
      assert.equal(err.field, "id");
      assert.match(err.message, /UUID/);
      assert.equal(err.violations[0]?.field, "id");
      return true;
    });
    await assert.rejects(collect(client.zones.list({ pageSize: 5000 })), InvalidArgumentError);
  });

  test("PermissionDenied for a read-only key, Unauthenticated for a bad one", async () => {
    const created = await client.apiKeys.create({ name: "ts read-only", scope: ApiKeyScope.READ_ONLY });
    try {
      const ro = new Client({ baseUrl: server.base_url, apiKey: created.secret });
      assert.equal((await ro.workspaces.get(server.workspace_id)).id, server.workspace_id);
      await assert.rejects(ro.sessions.launch(server.workspace_id), (err: unknown) => {
        assert.ok(err instanceof PermissionDeniedError);
        assert.equal(err.code, Code.PERMISSION_DENIED);
        assert.ok(err.message && err.reason);
        return true;
      });
    } finally {
      await client.apiKeys.delete(created.apiKey!.id);
    }
    const bad = new Client({ baseUrl: server.base_url, apiKey: "hdk_wrong" });
    await assert.rejects(bad.auth.me(), UnauthenticatedError);
  });

  test("an unreachable server is UNAVAILABLE", async () => {
    const lis = net.createServer();
    await new Promise<void>((r) => lis.listen(0, "127.0.0.1", r));
    const port = (lis.address() as net.AddressInfo).port;
    await new Promise((r) => lis.close(r));
    const gone = new Client({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "x" });
    await assert.rejects(gone.auth.me(), (err: unknown) => err instanceof HotdeskError && err.code === Code.UNAVAILABLE);
  });
});

describe("catalog", () => {
  test("pagination follows every page", async () => {
    const prefix = `ts-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.zones.create({ name: `${prefix}-${i}` })).id);
    try {
      const listed = (await collect(client.zones.list({ pageSize: 2 }))).map((z) => z.id);
      for (const id of ids) assert.ok(listed.includes(id));
      assert.equal(new Set(listed).size, listed.length);
    } finally {
      for (const id of ids) await client.zones.delete(id);
    }
  });

  test("create, update only what is given, delete", async () => {
    const me = await client.auth.me();
    assert.equal(me.role, Role.ADMIN);
    const w = await client.workspaces.create({
      name: `ts-${Date.now()}`,
      kind: WorkspaceKind.CONTAINER,
      enabled: true,
      container: { image: "hotdesk/sim-desktop:1", cores: 1, memoryMb: 512n },
    });
    const w2 = await client.workspaces.update({ id: w.id, description: "changed", enabled: false });
    assert.equal(w2.description, "changed");
    assert.equal(w2.enabled, false);
    assert.equal(w2.name, w.name);
    assert.equal(w2.container?.memoryMb, 512n);
    const w3 = await client.workspaces.update({ id: w.id, container: { cores: 2 } }, ["container.cores"]);
    assert.equal(w3.container?.cores, 2);
    assert.equal(w3.container?.image, "hotdesk/sim-desktop:1");
    await client.workspaces.delete(w.id);
    await assert.rejects(client.workspaces.get(w.id), NotFoundError);
  });

  test("users, groups, login and logout", async () => {
    const username = `ts${Date.now()}`;
    const u = await client.users.create({ username, password: "password-123", role: Role.USER });
    const g = await client.groups.create({ name: `g-${username}`, memberIds: [u.id], workspaceIds: [server.workspace_id] });
    const uc = new Client({ baseUrl: server.base_url });
    await uc.auth.login(username, "password-123");
    assert.equal((await uc.workspaces.get(server.workspace_id)).id, server.workspace_id);
    await assert.rejects(collect(uc.agents.list()), PermissionDeniedError);
    await uc.auth.logout();
    await assert.rejects(uc.auth.me(), UnauthenticatedError);
    await client.groups.delete(g.id);
    assert.equal((await client.users.update({ id: u.id, displayName: "Renamed" })).displayName, "Renamed");
    await client.users.delete(u.id);
  });

  test("changePassword keeps this sign-in and signs out the others", async () => {
    const username = `tspw${Date.now()}`;
    const u = await client.users.create({ username, password: "old password 1", role: Role.USER });
    try {
      const uc = new Client({ baseUrl: server.base_url });
      const other = new Client({ baseUrl: server.base_url });
      await uc.auth.login(username, "old password 1");
      await other.auth.login(username, "old password 1");
      await assert.rejects(uc.auth.changePassword("not it", "new password 2"), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.equal(err.field, "current_password");
        assert.equal(err.httpStatus, 400);
        return true;
      });
      await assert.rejects(uc.auth.changePassword("old password 1", "short"), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.equal(err.violations[0]?.field, "new_password");
        return true;
      });
      await assert.rejects(client.auth.changePassword("anything", "new password 2"), PermissionDeniedError);
      assert.equal((await other.auth.me()).id, u.id);

      const resp = await uc.auth.changePassword("old password 1", "new password 2");
      assert.equal(resp.revokedLoginCount, 1);
      assert.equal((await uc.auth.me()).id, u.id);
      await assert.rejects(other.auth.me(), UnauthenticatedError);
      await assert.rejects(other.auth.login(username, "old password 1"), UnauthenticatedError);
      assert.equal((await other.auth.login(username, "new password 2")).user?.id, u.id);
    } finally {
      await client.users.delete(u.id);
    }
  });

  test("agents: list, drain, enable, enrollment token; audit", async () => {
    const agent = server.agent_ids[0];
    assert.ok((await collect(client.agents.list())).some((a) => a.id === agent));
    assert.equal((await client.agents.drain(agent)).enabled, false);
    try {
      await assert.rejects(client.sessions.launch(server.workspace_id), HotdeskError);
    } finally {
      assert.equal((await client.agents.enable(agent)).enabled, true);
    }
    const tok = await client.agents.createEnrollmentToken({ ttlSeconds: 120 });
    assert.match(tok.token, /^hde_/);
    assert.ok((await collect(client.audit.list({ pageSize: 10 }))).length > 0);
  });

  test("raw service clients reach every RPC", async () => {
    const raw = client.service(PoolService);
    await assert.rejects(raw.listPools({}), UnimplementedError);
    const ws = await client.workspaces.raw.getWorkspace({ id: server.workspace_id });
    assert.equal(ws.workspace?.id, server.workspace_id);
  });
});

test("the quickstart runs and the README shows it", async () => {
  const script = join(root, "clients/ts/build/examples/quickstart.js");
  const { stdout } = await promisify(execFile)(process.execPath, [script], {
    env: {
      ...process.env,
      HOTDESK_SERVER: server.base_url,
      HOTDESK_API_KEY: server.api_key,
      HOTDESK_WORKSPACE: server.workspace_id,
    },
    timeout: 180_000,
  });
  for (const want of ["launched session", "connect URL:", "destroyed"]) assert.ok(stdout.includes(want), stdout);
  const src = readFileSync(join(root, "clients/ts/examples/quickstart.ts"), "utf8");
  assert.ok(readFileSync(join(root, "README.md"), "utf8").includes(src), "README.md does not show examples/quickstart.ts verbatim");
});

/** A TCP relay that can cut every relayed connection at once. */
async function startProxy(target: string) {
  const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const srv = net.createServer((c) => {
    accepted++;
    const up = net.connect(port, host);
    sockets.add(c).add(up);
    c.pipe(up).pipe(c);
    const drop = () => {
      c.destroy();
      up.destroy();
      sockets.delete(c);
      sockets.delete(up);
    };
    c.on("error", drop).on("close", drop);
    up.on("error", drop).on("close", drop);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const addr = `127.0.0.1:${(srv.address() as net.AddressInfo).port}`;
  return {
    addr,
    accepted: () => accepted,
    cut: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}
