import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function WorkspacesPage(_: PageProps) {
  return <Page title="WorkspacesPage">Not built yet.</Page>;
}
