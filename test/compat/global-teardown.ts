// Removes the tarball the global set-up packed.
import * as fs from "node:fs";
import * as path from "node:path";
import { TARBALL_ENV } from "./matrix";

export default function globalTeardown(): void {
  const tarball = process.env[TARBALL_ENV];
  if (tarball) fs.rmSync(path.dirname(tarball), { recursive: true, force: true });
}
