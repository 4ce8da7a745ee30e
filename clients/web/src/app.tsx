// The dashboard's frame: who is signed in, the navigation (a menu on phones), and the page the
// path names. Pages under /admin are for administrators.
import type { User } from "@hotdesk/client";
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { bearer, currentUser, isAdmin, signOut } from "./api";
import { LoginPage } from "./pages/login";
import type { PageProps } from "./pages/types";
import { AccountPage } from "./pages/account";
import { AdminWorkspacesPage } from "./pages/admin-workspaces";
import { AgentPage } from "./pages/agent";
import { AgentsPage } from "./pages/agents";
import { AllSessionsPage } from "./pages/admin-sessions";
import { ApiKeysPage } from "./pages/api-keys";
import { AuditPage } from "./pages/audit";
import { EnrollmentPage } from "./pages/enrollment";
import { GroupsPage } from "./pages/groups";
import { MySessionsPage } from "./pages/sessions";
import { SessionPage } from "./pages/session";
import { UsersPage } from "./pages/users";
import { WorkspaceEditPage } from "./pages/workspace-edit";
import { WorkspacesPage } from "./pages/workspaces";
import { ZonesPage } from "./pages/zones";
import { match, navigate, useLocation } from "./router";
import { ErrorNote, Loading, Page } from "./ui/common";

interface Route {
  pattern: string;
  page: FunctionComponent<PageProps>;
  admin?: boolean;
}

const routes: Route[] = [
  { pattern: "/", page: WorkspacesPage },
  { pattern: "/sessions", page: MySessionsPage },
  { pattern: "/sessions/:id", page: SessionPage },
  { pattern: "/api-keys", page: ApiKeysPage },
  { pattern: "/account", page: AccountPage },
  { pattern: "/admin/agents", page: AgentsPage, admin: true },
  { pattern: "/admin/agents/enroll", page: EnrollmentPage, admin: true },
  { pattern: "/admin/agents/:id", page: AgentPage, admin: true },
  { pattern: "/admin/workspaces", page: AdminWorkspacesPage, admin: true },
  { pattern: "/admin/workspaces/:id", page: WorkspaceEditPage, admin: true }, // id "new" creates
  { pattern: "/admin/users", page: UsersPage, admin: true },
  { pattern: "/admin/users/:id", page: UsersPage, admin: true },
  { pattern: "/admin/groups", page: GroupsPage, admin: true },
  { pattern: "/admin/groups/:id", page: GroupsPage, admin: true },
  { pattern: "/admin/zones", page: ZonesPage, admin: true },
  { pattern: "/admin/zones/:id", page: ZonesPage, admin: true },
  { pattern: "/admin/sessions", page: AllSessionsPage, admin: true },
  { pattern: "/admin/audit", page: AuditPage, admin: true },
];

const userNav: [string, string][] = [
  ["/", "Workspaces"],
  ["/sessions", "My sessions"],
  ["/api-keys", "API keys"],
];
const adminNav: [string, string][] = [
  ["/admin/agents", "Agents"],
  ["/admin/workspaces", "Manage workspaces"],
  ["/admin/users", "Users"],
  ["/admin/groups", "Groups"],
  ["/admin/zones", "Zones"],
  ["/admin/sessions", "All sessions"],
  ["/admin/audit", "Audit log"],
];

function NavLinks({ items, path }: { items: [string, string][]; path: string }) {
  return (
    <>
      {items.map(([href, label]) => {
        const current = href === "/" ? path === "/" : path === href || path.startsWith(href + "/");
        return (
          <li key={href}>
            <a href={href} aria-current={current ? "page" : undefined}>
              {label}
            </a>
          </li>
        );
      })}
    </>
  );
}

function Shell({ me, path, children }: { me: User; path: string; children: preact.ComponentChildren }) {
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [path]);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          Hotdesk
        </a>
        <button type="button" class="menu-toggle" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
          Menu
        </button>
        <nav id="nav" class={open ? "open" : ""} aria-label="Main">
          <ul>
            <NavLinks items={userNav} path={path} />
          </ul>
          {isAdmin(me) && (
            <ul aria-label="Administration" class="admin-nav">
              <NavLinks items={adminNav} path={path} />
            </ul>
          )}
          <div class="who">
            <a href="/account" title={`Your account (${me.username})`} aria-current={path === "/account" ? "page" : undefined}>
              {me.displayName || me.username}
            </a>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </nav>
      </header>
      <main id="main">{children}</main>
    </div>
  );
}

export function App() {
  const { path, query } = useLocation();
  // The user is kept with the token it was read with: after signing out and in as someone
  // else, the previous user's role and id must not reach the pages, not even for a moment.
  const [who, setWho] = useState<{ token: string; user: User } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const token = bearer();
  const me = who && who.token === token ? who.user : undefined;

  useEffect(() => {
    if (path === "/login") return;
    if (!token) {
      navigate(`/login?next=${encodeURIComponent(path + location.search)}`, { replace: true });
      return;
    }
    let gone = false;
    setError(undefined);
    currentUser().then(
      (user) => !gone && setWho({ token, user }),
      (e) => !gone && setError(e),
    );
    return () => {
      gone = true;
    };
  }, [token, path]);

  // Focus the heading of each new page, so keyboard and screen-reader users land on it.
  useEffect(() => {
    document.getElementById("page-title")?.focus({ preventScroll: true });
  }, [path, me]);

  if (path === "/login") return <LoginPage query={query} />;
  if (!token) return null;
  if (error) {
    return (
      <main id="main" class="standalone">
        <ErrorNote error={error} onRetry={() => location.reload()} />
      </main>
    );
  }
  if (!me) return <Loading what="Signing in" />;

  for (const r of routes) {
    const params = match(r.pattern, path);
    if (!params) continue;
    const body =
      r.admin && !isAdmin(me) ? (
        <Page title="Not allowed">
          <p>Only administrators can open this page.</p>
        </Page>
      ) : (
        <r.page params={params} query={query} me={me} />
      );
    return (
      <Shell me={me} path={path}>
        {body}
      </Shell>
    );
  }
  return (
    <Shell me={me} path={path}>
      <Page title="Not found">
        <p>
          There is no page at <code>{path}</code>. <a href="/">Go to your workspaces</a>.
        </p>
      </Page>
    </Shell>
  );
}
