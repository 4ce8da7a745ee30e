import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function AgentPage(_: PageProps) {
  return <Page title="AgentPage">Not built yet.</Page>;
}
