import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function UsersPage(_: PageProps) {
  return <Page title="UsersPage">Not built yet.</Page>;
}
