import type { User } from "@hotdesk/client";

/** What every page gets from the router. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
  me: User;
}
