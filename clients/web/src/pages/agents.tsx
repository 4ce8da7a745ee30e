import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function AgentsPage(_: PageProps) {
  return <Page title="AgentsPage">Not built yet.</Page>;
}
