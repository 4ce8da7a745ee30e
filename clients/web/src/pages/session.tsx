import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function SessionPage(_: PageProps) {
  return <Page title="SessionPage">Not built yet.</Page>;
}
