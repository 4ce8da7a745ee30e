import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function ZonesPage(_: PageProps) {
  return <Page title="ZonesPage">Not built yet.</Page>;
}
