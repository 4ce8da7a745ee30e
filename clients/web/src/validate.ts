// Client-side validation with the very rules the server enforces: protovalidate reads the
// buf.validate options out of the generated descriptors, so the dashboard and the server can
// never disagree about what is valid.
import { create } from "@bufbuild/protobuf";
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import type { Violation } from "@bufbuild/protovalidate";
import { HotdeskError } from "@hotdesk/client";

const validator = createValidator();

/** Field errors keyed by proto field path ("container.cores", "zone_ids[0]"). */
export type FieldErrors = Record<string, string>;

function pathOf(v: Violation): string {
  let out = "";
  for (const f of v.field) {
    if (f.kind === "field") out += (out ? "." : "") + f.name;
    else if (f.kind === "list_sub") out += `[${f.index}]`;
    else if (f.kind === "map_sub") out += `[${JSON.stringify(f.key)}]`;
  }
  return out;
}

/**
 * Validates init as a message of schema. Paths are relative to the message; with strip, that
 * prefix ("workspace.") is removed from paths (to check a request and key errors by the
 * resource's fields).
 */
export function check<S extends DescMessage>(schema: S, init: MessageInitShape<S>, strip = ""): FieldErrors {
  const r = validator.validate(schema, create(schema, init));
  const errs: FieldErrors = {};
  if (r.kind === "valid") return errs;
  if (r.kind === "error") {
    errs[""] = r.error.message;
    return errs;
  }
  for (const v of r.violations) {
    let p = pathOf(v);
    if (strip && p.startsWith(strip)) p = p.slice(strip.length);
    if (!(p in errs)) errs[p] = v.message;
  }
  return errs;
}

/**
 * The server's field violations keyed like check()'s, "" for a message with no field. The
 * server words a field's violation as "<field>: <what is wrong>"; next to the field, the
 * field's name is noise, so it is dropped here (the message above the buttons keeps it).
 */
export function serverErrors(err: unknown, strip = ""): FieldErrors {
  const errs: FieldErrors = {};
  if (err instanceof HotdeskError) {
    for (const v of err.violations) {
      let p = v.field;
      if (strip && p.startsWith(strip)) p = p.slice(strip.length);
      const d = v.field && v.description.startsWith(v.field + ": ") ? v.description.slice(v.field.length + 2) : v.description;
      if (!(p in errs)) errs[p] = d;
    }
    if (!err.violations.length && err.field) {
      const p = strip && err.field.startsWith(strip) ? err.field.slice(strip.length) : err.field;
      errs[p] = err.message;
    }
  }
  return errs;
}
