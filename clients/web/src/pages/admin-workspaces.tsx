import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function AdminWorkspacesPage(_: PageProps) {
  return <Page title="AdminWorkspacesPage">Not built yet.</Page>;
}
