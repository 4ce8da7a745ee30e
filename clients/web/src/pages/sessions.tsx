import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function MySessionsPage(_: PageProps) {
  return <Page title="MySessionsPage">Not built yet.</Page>;
}
