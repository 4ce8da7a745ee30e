import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function AccountPage(_: PageProps) {
  return <Page title="AccountPage">Not built yet.</Page>;
}
