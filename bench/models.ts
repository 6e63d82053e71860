/**
 * `npm run bench -- models [bert-base|bert-small|gpt2|llama-1b ...] [--mode inference|full|lora|generate] [--quick] [--rounds N] [--profile] [--out FILE]`:
 * whole real-size models (random weights, cached) in tunelab, PyTorch and onnxruntime-node.
 *
 * Per row, each engine runs in its own process (its VmHWM is the row's peak RSS for that
 * engine), all loaded at once, and the engines alternate round by round (tunelab, torch, ORT,
 * then rotated), so a burst of load from other processes hits all of them. PyTorch runs at
 * the best of three settings found in a calibration round (N threads, N threads with
 * OMP_WAIT_POLICY=PASSIVE, 1 thread) — on a shared machine its OpenMP barriers can make N
 * threads slower than 1. onnxruntime gets intraOpNumThreads = N. The reported figure is the
 * median seconds per step over all rounds, with the spread of the round medians beside it.
 * FLOPs: bench/models_cases.ts; the limit: bench/fma_native.cpp, measured at the start. The
 * full run (or --profile) ends with bench/model_profile.ts's breakdown of the BERT-base full step.
 */
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { availableCpus } from "../src/index.js";
import { OtherCpuUse, type Peak, maxAbsDiff, measurePeak, repoRoot, table, torchVersion } from "./common.js";
import { CASES, LORA, MODES, type Mode, type ModelCase, QUICK_CASES, SPECS, caseFlops, caseName, caseTokens, checkpointDir, checkpointReady } from "./models_cases.js";
import { type Answer, EngineProcess } from "./models_process.js";

interface EngineResult {
  samples: number[];
  /** Medians of each round. */
  rounds: number[];
  rss?: number;
  setting?: string;
  error?: string;
}

interface Row {
  c: ModelCase;
  flops: number;
  tokens: number;
  engines: Record<string, EngineResult>;
  check: string;
  parityFailed: boolean;
  /** Each engine's first answer (loss, logits, tokens), for the parity check. */
  answers: Record<string, Answer>;
  /** Set when memory allowed only one engine at a time: not alternated. */
  sequential?: boolean;
  load: number;
  /** Wall seconds the row took (loading, checks, calibration, rounds). */
  took?: number;
}

/** Everything the bench prints on stdout (markdown), kept for --out. */
const printed: string[] = [];
function say(text = ""): void {
  printed.push(text);
  console.log(text);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

/** How the engines' first results agree: losses to ~1e-6 relative, logits, generated tokens. */
function parity(answers: Record<string, Answer>): { text: string; failed: boolean } {
  const ours = answers.tunelab;
  if (!ours) return { text: "no tunelab result", failed: false };
  const parts: string[] = [];
  let failed = false;
  for (const [name, a] of Object.entries(answers)) {
    if (name === "tunelab") continue;
    if (typeof ours.loss === "number" && typeof a.loss === "number") {
      const rel = Math.abs(ours.loss - a.loss) / Math.max(1e-12, Math.abs(a.loss));
      const ok = rel <= 1e-6; // measured: 0 to 4.4e-7 on every row
      failed ||= !ok;
      parts.push(`loss tunelab ${ours.loss.toPrecision(9)} / ${name} ${a.loss.toPrecision(9)} (rel ${rel.toExponential(1)}${ok ? "" : " — MISMATCH"})`);
      const sameParams = ours.trainable === a.trainable;
      failed ||= !sameParams;
      parts.push(`trainable parameters ${ours.trainable}${sameParams ? " on both" : ` vs ${name}'s ${a.trainable} — MISMATCH`}`);
    } else if (Array.isArray(ours.logits) && Array.isArray(a.logits)) {
      const x = ours.logits as number[], y = a.logits as number[];
      const { diff, scale: ys } = maxAbsDiff(x, y);
      const scale = Math.max(ys, 1e-12);
      const ok = diff / scale <= 1e-4; // NaN fails
      failed ||= !ok;
      parts.push(`logits max |diff| vs ${name} ${diff.toExponential(1)} of ${scale.toExponential(1)}${ok ? "" : " — MISMATCH"}`);
    } else if (Array.isArray(ours.tokens) && Array.isArray(a.tokens)) {
      const x = ours.tokens as number[], y = a.tokens as number[];
      let same = 0;
      while (same < x.length && x[same] === y[same]) same++;
      failed ||= same === 0;
      parts.push(`${same}/${x.length} greedy tokens equal to ${name}'s`);
    }
  }
  return { text: parts.join("; ") || "no reference", failed };
}

const gib = (b: number) => (b / 2 ** 30).toFixed(1);

/** MemAvailable from /proc/meminfo (the kernel's estimate of what can be used without swapping), bytes. */
function memAvailable(): number {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync("/proc/meminfo", "utf8"));
  return m ? Number(m[1]) * 1024 : freemem();
}

/** Bytes of the checkpoint's safetensors (float32: the weights' size in memory). */
function paramBytes(dir: string): number {
  return readdirSync(dir).filter((f) => f.endsWith(".safetensors")).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
}

/** torch.onnx.export in a process of its own (tracing's memory would count in the timed torch process's peak). */
async function exportOnnx(job: Answer, path: string): Promise<void> {
  const p = EngineProcess.torch("PASSIVE");
  try {
    await p.ask(job);
    await p.ask({ cmd: "export", path });
  } finally {
    p.close();
  }
}

/** Runs one row: load every engine, check parity, calibrate torch, alternate rounds. */
async function runRow(c: ModelCase, opts: { quick: boolean; rounds: number; threads: number; torch: boolean; roundSeconds: number; only?: "tunelab" | "torch" }): Promise<Row> {
  const config = opts.quick ? c.spec.quick : c.spec.config;
  const dir = checkpointDir(c.spec.family, config);
  if (!checkpointReady(dir)) {
    const t0 = performance.now();
    const w = EngineProcess.tunelab();
    try {
      await w.ask({ cmd: "prepare", family: c.spec.family, config, dir });
    } finally {
      w.close();
    }
    say(`  (wrote ${c.spec.key}'s random-weight checkpoint to ${dir} in ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const job = {
    cmd: "load", dir, family: c.spec.family, mode: c.mode, B: c.B, T: c.T, new_tokens: c.newTokens,
    lora: { target_modules: c.spec.lora.target_modules, task_type: c.spec.lora.task_type, trainable: c.spec.lora.trainable, r: LORA.r, lora_alpha: LORA.lora_alpha },
  };
  const row: Row = { c, flops: caseFlops(c, config), tokens: caseTokens(c), engines: {}, check: "", parityFailed: false, answers: {}, load: loadavg()[0] };
  const procs: Record<string, EngineProcess> = {};
  const answers = row.answers;
  const start = async (name: string, p: EngineProcess, extra: Answer = {}) => {
    procs[name] = p;
    try {
      answers[name] = await p.ask({ ...job, ...extra });
    } catch (err) {
      row.engines[name] = { samples: [], rounds: [], error: (err as Error).message.split("\n")[0].slice(0, 300) };
      p.close();
      delete procs[name];
    }
  };
  try {
    // A big model's engines each hold a few GiB: start the next one only where memory is there,
    // never push a shared machine into the OOM killer.
    // tunelab's float32 loader peaks near 3x the weights (it holds the converted checkpoint and
    // the model at once: bench/memory.ts measured 12 GiB for these 4.4 GB); torch's ~1.4x.
    const weights = paramBytes(dir);
    const needTunelab = 3 * weights, needTorch = 1.4 * weights;
    if (c.spec.big && !opts.only && memAvailable() < needTunelab + needTorch) {
      if (memAvailable() < needTunelab) {
        row.engines.tunelab = { samples: [], rounds: [], error: `skipped: ${gib(memAvailable())} GiB available, tunelab's load alone needs about ${gib(needTunelab)} GiB` };
        return row;
      }
      // One engine at a time: tunelab's rounds, then torch's (not alternated; the table says so).
      const first = await runRow(c, { ...opts, only: "tunelab" });
      const second = opts.torch ? await runRow(c, { ...opts, only: "torch" }) : null;
      return { ...first, engines: { ...second?.engines, ...first.engines }, answers: { ...first.answers, ...second?.answers }, sequential: true };
    }
    if (opts.only !== "torch") await start("tunelab", EngineProcess.tunelab());
    if (opts.only === "tunelab") {
      // the torch half runs after this process exits
    } else if (opts.torch && c.spec.big && memAvailable() < needTorch) {
      row.engines.torch = { samples: [], rounds: [], error: `not started: ${gib(memAvailable())} GiB available beside tunelab, about ${gib(needTorch)} GiB needed` };
    } else if (opts.torch) {
      // Big models: one torch process (two copies of 4 GB beside tunelab's would crowd the machine).
      if (!c.spec.big && !opts.quick) await start("torch-default", EngineProcess.torch("default"));
      await start("torch", EngineProcess.torch("PASSIVE"));
      const inferenceLike = c.mode === "inference" || c.mode === "generate";
      if (inferenceLike && procs.torch) {
        const onnx = join(dir, `${c.mode}.onnx`);
        try {
          if (!existsSync(onnx)) await exportOnnx(job, onnx);
          await start("onnxruntime", EngineProcess.ort(), { onnx });
        } catch (err) {
          row.engines.onnxruntime = { samples: [], rounds: [], error: `torch.onnx.export: ${(err as Error).message.slice(0, 300)}` };
        }
      }
    }
    if (!procs.tunelab && opts.only !== "torch") return row;

    // One warm-up step each (at N threads; its time, an overestimate, sizes the rounds to ~roundSeconds).
    const est: Record<string, number> = {};
    for (const [name, p] of Object.entries(procs)) {
      try {
        est[name] = (await p.time(opts.threads, 1))[0];
      } catch (err) {
        if (name === "tunelab") throw err;
        row.engines[name === "torch-default" ? "torch" : name] = { samples: [], rounds: [], error: (err as Error).message.slice(0, 300) };
        p.close();
        delete procs[name];
      }
    }
    const stepsFor = (name: string) => (opts.quick ? 1 : Math.max(1, Math.round(opts.roundSeconds / est[name])));

    // PyTorch calibration: N threads (default wait policy), N threads PASSIVE, 1 thread PASSIVE.
    let torchRun: { p: EngineProcess; threads: number; setting: string } | undefined;
    if (procs.torch) {
      const candidates: { p: EngineProcess; threads: number; setting: string }[] = [];
      if (procs["torch-default"]) candidates.push({ p: procs["torch-default"], threads: opts.threads, setting: `${opts.threads} thr` });
      candidates.push({ p: procs.torch, threads: opts.threads, setting: `${opts.threads} thr PASSIVE` });
      if (opts.threads > 1) candidates.push({ p: procs.torch, threads: 1, setting: "1 thr" });
      let best = Infinity;
      try {
        for (const cand of candidates) {
          const t = median(await cand.p.time(cand.threads, stepsFor("torch")));
          if (t < best) [best, torchRun] = [t, cand];
        }
        row.engines.torch = { samples: [], rounds: [], setting: torchRun!.setting };
      } catch (err) {
        row.engines.torch = { samples: [], rounds: [], error: (err as Error).message.slice(0, 300) };
        torchRun = undefined;
      }
      for (const name of ["torch", "torch-default"]) if (procs[name] && procs[name] !== torchRun?.p) procs[name].close(); // idle copies hold memory
    }
    const runners: [string, () => Promise<number[]>][] = [];
    if (procs.tunelab) runners.push(["tunelab", () => procs.tunelab.time(opts.threads, stepsFor("tunelab"))]);
    if (torchRun) runners.push(["torch", () => torchRun!.p.time(torchRun!.threads, stepsFor("torch"))]);
    if (procs.onnxruntime) runners.push(["onnxruntime", () => procs.onnxruntime.time(opts.threads, stepsFor("onnxruntime"))]);
    for (const [name] of runners) row.engines[name] ??= { samples: [], rounds: [] };
    for (let r = 0; r < opts.rounds; r++) {
      for (let i = 0; i < runners.length; i++) {
        const [name, run] = runners[(i + r) % runners.length];
        if (row.engines[name].error) continue;
        try {
          const s = await run();
          row.engines[name].samples.push(...s);
          row.engines[name].rounds.push(median(s));
        } catch (err) {
          if (name === "tunelab") throw err;
          row.engines[name] = { samples: [], rounds: [], error: (err as Error).message.slice(0, 300) }; // a reference failing is reported, not fatal
        }
      }
    }
    if (procs.tunelab) row.engines.tunelab.rss = await procs.tunelab.peakRss();
    if (torchRun && !row.engines.torch.error) row.engines.torch.rss = await torchRun.p.peakRss().catch(() => undefined);
    if (procs.onnxruntime && !row.engines.onnxruntime.error) row.engines.onnxruntime.rss = await procs.onnxruntime.peakRss().catch(() => undefined);
  } catch (err) {
    const who = opts.only ?? "tunelab";
    row.engines[who] ??= { samples: [], rounds: [] };
    row.engines[who].error ??= (err as Error).message.slice(0, 300);
  } finally {
    for (const p of Object.values(procs)) p.close();
  }
  return row;
}

const mib = (b?: number) => (b === undefined || !Number.isFinite(b) ? "-" : `${(b / 2 ** 20).toFixed(0)}`);
const secs = (s: number) => (s >= 10 ? s.toFixed(1) : s >= 0.1 ? s.toFixed(3) : s.toFixed(4));

function rowCells(row: Row, peak: Peak): (string | number)[] {
  const e = (k: string) => row.engines[k];
  const med = (k: string) => (e(k)?.samples.length ? median(e(k)!.samples) : NaN);
  const t = med("tunelab"), th = med("torch"), o = med("onnxruntime");
  const gflops = row.flops / t / 1e9;
  const spread = (k: string) => (e(k)?.rounds.length ? `${secs(Math.min(...e(k)!.rounds))}–${secs(Math.max(...e(k)!.rounds))}` : "");
  const cell = (k: string, v: number) => (e(k)?.error ? `error` : Number.isFinite(v) ? secs(v) : "-");
  return [
    caseName(row.c),
    Number.isFinite(t) ? `${secs(t)} (${spread("tunelab")})` : cell("tunelab", t),
    Number.isFinite(t) ? (row.tokens / t).toFixed(0) : "-",
    Number.isFinite(t) ? gflops.toFixed(0) : "-",
    Number.isFinite(t) && Number.isFinite(peak.all) ? `${((100 * gflops) / peak.all).toFixed(0)}%` : "-",
    Number.isFinite(th) ? `${secs(th)} (${e("torch")?.setting})` : cell("torch", th),
    Number.isFinite(th / t) ? `${(th / t).toFixed(2)}x` : "-",
    Number.isFinite(o) ? secs(o) : cell("onnxruntime", o),
    Number.isFinite(o / t) ? `${(o / t).toFixed(2)}x` : "-",
    `${mib(e("tunelab")?.rss)} / ${mib(e("torch")?.rss)}${e("onnxruntime")?.rss ? ` / ${mib(e("onnxruntime")!.rss)}` : ""}`,
  ];
}

/** The step's breakdown (bench/model_profile.ts) in its own process, so its timers touch no timed row. */
function profile(c: ModelCase, quick: boolean): void {
  const dir = checkpointDir(c.spec.family, quick ? c.spec.quick : c.spec.config);
  say(`\n## Where the ${caseName(c)} goes (bench/model_profile.ts)\n`);
  const r = spawnSync(process.execPath, [join(repoRoot, "dist", "bench", "model_profile.js"), dir, c.spec.family, String(c.B), String(c.T), "3", "--mode", c.mode], { encoding: "utf8" });
  say(r.status === 0 ? r.stdout : `profile failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
}

export async function benchModels(args: string[]): Promise<number> {
  const started = performance.now();
  const quick = args.includes("--quick");
  const roundsAt = args.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 1 : 3;
  const modeAt = args.indexOf("--mode");
  const mode = modeAt >= 0 ? args[modeAt + 1] : undefined;
  const names = args.filter((a, i) => !a.startsWith("--") && !["--rounds", "--out", "--mode"].includes(args[i - 1] ?? ""));
  const unknown = names.filter((n) => !SPECS.some((s) => s.key === n));
  if (unknown.length || !(rounds >= 1) || (mode !== undefined && !MODES.includes(mode as Mode))) {
    console.error(`bench models: unknown model ${unknown.join(", ") || "?"}, --rounds or --mode; choose from ${SPECS.map((s) => s.key).join(", ")} (default: all), --mode ${MODES.join("|")} (default: every row), --quick, --rounds N (>= 1), --profile, --out FILE (the markdown, e.g. bench/RESULTS.md)`);
    return 2;
  }
  const cases = (quick ? QUICK_CASES : CASES).filter((c) => (names.length === 0 || names.includes(c.spec.key)) && (mode === undefined || c.mode === mode));
  const threads = availableCpus();
  const n = cpus().length;
  const before = loadavg()[0];
  const othersBefore = OtherCpuUse.over(2);
  const othersDuring = new OtherCpuUse();
  const peak = measurePeak(threads);
  const version = process.env.TUNELAB_BENCH_NO_TORCH ? null : torchVersion();
  say(`# tunelab bench: models${quick ? " (--quick: tiny shapes, 1 round — proves the harness, not the speed)" : ""}\n`);
  say(`- machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${n} logical CPU(s), ${(totalmem() / 2 ** 30).toFixed(0)} GiB; every engine at ${threads} thread(s)`);
  say(`- limit: ${peak.note}; "% of peak" = counted GEMM FLOPs / median time / the ${threads}-thread figure`);
  say(`- PyTorch: ${version ? `${version} (Debian python3-torch on OpenBLAS), bench/models_torch.py modules with Hugging Face semantics, same safetensors, best of ${threads} thr / ${threads} thr OMP_WAIT_POLICY=PASSIVE / 1 thr` : "not available (apt-get install python3-torch libopenblas0-pthread): tunelab only"}`);
  say(`- onnxruntime-node: the PyTorch model exported with torch.onnx.export (opset 14), intraOpNumThreads ${threads}`);
  say(`- ${rounds} round(s), engines alternating; s/step = median over all steps (range of round medians); dropout 0, AdamW lr 1e-5 wd 0.01, LoRA r=${LORA.r} alpha=${LORA.lora_alpha}`);
  // Busy = other processes take more than a tenth of the CPUs (measured, see OtherCpuUse).
  const busy = (share: number | null) => share !== null && share > 0.1;
  const pct = (share: number | null) => (share === null ? "not measurable here" : `${(100 * share).toFixed(0)}% of the CPUs`);
  say(`- before: other processes used ${pct(othersBefore)} over 2 s (load average ${before.toFixed(2)} on ${n} CPU(s))${busy(othersBefore) ? " — WARNING: the machine is busy; figures are provisional, rerun on a quiet machine" : ""}`);

  const rows: Row[] = [];
  for (const c of cases) {
    console.error(`[models] ${caseName(c)}...`);
    const t0 = performance.now();
    const row = await runRow(c, { quick, rounds, threads, torch: version !== null, roundSeconds: 2 });
    row.took = (performance.now() - t0) / 1000;
    const checked = parity(Object.fromEntries(Object.entries(row.answers).filter(([k]) => k !== "torch-default")));
    row.check = checked.text + (row.sequential ? "; engines run one after the other (memory for one at a time), not alternated" : "");
    row.parityFailed = checked.failed;
    rows.push(row);
  }
  say("");
  say(table(
    ["work (fp32)", "tunelab s/step", "tokens/s", "GFLOP/s", "% of peak", "PyTorch s/step", "vs PyTorch", "ORT s/step", "vs ORT", "peak RSS MiB tunelab / torch / ORT"],
    rows.map((r) => rowCells(r, peak)),
  ));
  say("\nChecks (first loss before any update, first logits, greedy tokens):");
  for (const r of rows) say(`- ${caseName(r.c)}: ${r.check}; load average at the start ${r.load.toFixed(2)}; ${(r.flops / 1e9).toPrecision(3)} GFLOP per step; the row took ${r.took?.toFixed(0)} s`);
  for (const r of rows) {
    for (const [name, e] of Object.entries(r.engines)) if (e.error) say(`- ${caseName(r.c)}: ${name} failed: ${e.error}`);
  }
  // Where the BERT-base full step and inference (the row compared with onnxruntime) spend their time.
  if (args.includes("--profile") || (names.length === 0 && !quick)) {
    for (const c of cases) if (c.spec.key === "bert-base" && (c.mode === "full" || c.mode === "inference")) profile(c, quick);
  }
  const after = loadavg()[0];
  const took = (performance.now() - started) / 1000;
  const others = othersDuring.share();
  say(`\nDuring the bench other processes used ${pct(others)} (load average at the end ${after.toFixed(2)}, this bench's ${threads} thread(s) included)${busy(others) ? " — WARNING: other work was running; figures are provisional" : ""}. The bench took ${took.toFixed(0)} s.`);
  const outAt = args.indexOf("--out");
  if (outAt >= 0) {
    const file = args[outAt + 1];
    writeFileSync(`${file}.tmp`, `${printed.join("\n")}\n`);
    renameSync(`${file}.tmp`, file);
    console.error(`[models] wrote ${file}`);
  }
  const tunelabBroke = rows.some((r) => !r.engines.tunelab?.error?.startsWith("skipped:") && (r.engines.tunelab?.error || !r.engines.tunelab?.samples.length));
  const parityBroke = rows.some((r) => r.parityFailed);
  if (parityBroke) say("FAILED: an engine's first result differs from tunelab's: the two sides are not the same computation.");
  return tunelabBroke || parityBroke ? 1 : 0;
}
