import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function GroupsPage(_: PageProps) {
  return <Page title="GroupsPage">Not built yet.</Page>;
}
