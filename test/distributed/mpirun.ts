// Where mpirun is, and the skip rule of every test that launches it: skipped with a message when
// Open MPI is missing locally, but run (and failing on the missing mpirun) when CI=true.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import assert from "node:assert/strict";

export const MPIRUN: string | null =
  ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].find((p) => fs.existsSync(p)) ?? (spawnSync("sh", ["-c", "command -v mpirun"]).stdout?.toString().trim() || null);

export const skipWithoutMpirun: string | false =
  MPIRUN || process.env.CI === "true" ? false : "mpirun not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) to run the MPI tests";

/** mpirun's path; fails the test where it is missing (only reached with CI=true). */
export function mpirun(): string {
  assert.ok(MPIRUN, "CI=true but mpirun is missing: .ci/run must install openmpi-bin");
  return MPIRUN;
}

/** The launcher arguments for n ranks on this machine, as root if need be. */
export const mpirunArgs = (ranks: number, exportVars: string[]): string[] => ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), ...exportVars.flatMap((v) => ["-x", v])];
