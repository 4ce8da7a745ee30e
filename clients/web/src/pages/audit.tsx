import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function AuditPage(_: PageProps) {
  return <Page title="AuditPage">Not built yet.</Page>;
}
