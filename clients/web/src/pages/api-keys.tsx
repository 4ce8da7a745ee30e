import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function ApiKeysPage(_: PageProps) {
  return <Page title="ApiKeysPage">Not built yet.</Page>;
}
