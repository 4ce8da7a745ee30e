import { Page } from "../ui/common";
import type { PageProps } from "./types";

export function EnrollmentPage(_: PageProps) {
  return <Page title="EnrollmentPage">Not built yet.</Page>;
}
