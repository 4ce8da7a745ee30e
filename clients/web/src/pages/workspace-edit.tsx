import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function WorkspaceEditPage(_: PageProps) {
  return <Page title="WorkspaceEditPage">Not built yet.</Page>;
}
