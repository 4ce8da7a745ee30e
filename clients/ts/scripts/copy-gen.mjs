// Copies the generated TypeScript of gen/ts (protoc-gen-es output, never edited by hand) into
// src/gen so that tsc compiles it into dist/ with the SDK. src/gen is not committed.
import { cpSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// A clean dist/ every build, so a packed tarball never carries stale files.
rmSync(join(here, "..", "dist"), { recursive: true, force: true });
const gen = join(here, "..", "..", "..", "gen", "ts");
const dest = join(here, "..", "src", "gen");
if (!existsSync(gen)) {
  if (existsSync(dest)) process.exit(0); // building outside the repository from a copy
  console.error(`copy-gen: ${gen} not found`);
  process.exit(1);
}
rmSync(dest, { recursive: true, force: true });
for (const dir of ["hotdesk/v1", "google/api", "buf/validate"]) {
  cpSync(join(gen, dir), join(dest, dir), { recursive: true });
}
