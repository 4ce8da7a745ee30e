import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function AllSessionsPage(_: PageProps) {
  return <Page title="AllSessionsPage">Not built yet.</Page>;
}
