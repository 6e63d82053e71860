/** `tunelab report RUN_DIR` rebuilds a run's report.html; `tunelab runs [DIR]` lists the runs under a folder. */
import * as path from "node:path";
import { writeRunReport } from "../../report/run_report.js";
import { findRuns, runsTable } from "../../report/runs.js";
import { consoleOutput, type Output } from "../../pipelines/run.js";

export async function reportCommand(runDir: string, opts: { png?: boolean }, out: Output = consoleOutput): Promise<void> {
  const written = await writeRunReport(runDir, { png: opts.png });
  out.info(`[report] ${written.html}: ${written.charts.length} charts (${written.charts.join(", ")})`);
  for (const p of written.pngs) out.info(`[report] ${p}`);
}

export function runsCommand(dir: string | undefined, out: Output = consoleOutput): void {
  const root = path.resolve(dir ?? "runs");
  const runs = findRuns(root);
  if (!runs.length) {
    out.info(`[runs] no run folders under ${root} (a run folder holds trainer_state.json or trainer_log.jsonl); pass the folder your output_dir values live in`);
    return;
  }
  out.info(runsTable(runs, root));
}
