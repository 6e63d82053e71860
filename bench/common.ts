/**
 * What every bench section shares: the timer, the PyTorch reference process, deterministic
 * weights both sides can build bit for bit, and the markdown table.
 *
 * Fairness: each row times tunelab and torch alternately (ours, torch, ours, torch) in the
 * same run, and reports a low quantile (QUANTILE) of the per-call times over all rounds for
 * both: on a shared machine other processes steal cores in bursts, and a 2-thread OpenMP
 * barrier (torch) or pool join (ours) then waits a whole scheduler slice for the
 * descheduled thread; the median would measure the neighbours, the 10th percentile
 * measures the engine when it has the cores, which is what a dedicated machine gives.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Tensor } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..");
/** Debian's python3 (with python3-torch); TUNELAB_BENCH_PYTHON points elsewhere. */
export const PYTHON = process.env.TUNELAB_BENCH_PYTHON ?? "/usr/bin/python3";

/** Seconds per call a measurement aims to collect (per side, all rounds together). */
export const MIN_TIME = Number(process.env.TUNELAB_BENCH_MIN_TIME ?? 0.6);

/** The reported statistic of per-call times (see the file comment). */
export const QUANTILE = 0.1;

/**
 * Per-call times of fn: `warmup` untimed calls, then calls until `minTime` seconds and
 * `minCalls` calls have passed. Returns every sample (seconds) so rounds can be merged.
 */
export function samples(fn: () => void, minTime: number, warmup = 1, minCalls = 3): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  const start = performance.now();
  while (out.length < minCalls || performance.now() - start < minTime * 1000) {
    const t0 = performance.now();
    fn();
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

/** The q-quantile of xs (nearest rank); q = 0.5 is the median. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

export function geomean(xs: number[]): number {
  const ok = xs.filter((x) => x > 0 && Number.isFinite(x));
  if (ok.length === 0) return NaN;
  return Math.exp(ok.reduce((s, x) => s + Math.log(x), 0) / ok.length);
}

/** The answer of torch_ref.py to one job. */
export interface TorchResult {
  samples: number[];
  loss?: number;
  note?: string;
  error?: string;
}

/**
 * One long-lived `python3 bench/torch_ref.py` that answers JSON jobs line by line, so rows
 * can alternate between the two engines without paying torch's import each time.
 */
export class TorchRef {
  private proc: ChildProcessWithoutNullStreams;
  private waiting: ((line: string | null) => void)[] = [];
  private stderr = "";
  readonly version: string;

  private constructor(version: string) {
    this.version = version;
    this.proc = spawn(PYTHON, ["-u", join(repoRoot, "bench", "torch_ref.py")], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    const rl = createInterface({ input: this.proc.stdout });
    rl.on("line", (line) => this.waiting.shift()?.(line));
    this.proc.on("exit", () => {
      for (const w of this.waiting.splice(0)) w(null);
    });
  }

  /** Starts the reference, installing python3-torch + OpenBLAS with apt when root; null when unavailable or on the reference BLAS. */
  static start(): TorchRef | null {
    const version = torchVersion();
    return version ? new TorchRef(version) : null;
  }

  run(job: Record<string, unknown>): Promise<TorchResult> {
    return new Promise((resolve) => {
      this.waiting.push((line) => {
        if (line === null) {
          resolve({ samples: [], error: `torch_ref.py exited: ${this.stderr.trim().split("\n").slice(-2).join(" | ")}` });
          return;
        }
        resolve(JSON.parse(line) as TorchResult);
      });
      this.proc.stdin.write(JSON.stringify(job) + "\n");
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

// Debian's torch calls whatever libblas.so.3 the alternatives point at: without OpenBLAS that
// is the reference BLAS, about 10x slower, and every ratio against torch would be false.
const TORCH_PACKAGES = ["python3-torch", "libopenblas0-pthread"];
const PROBE = [
  "import torch",
  "torch.ones(64, 64) @ torch.ones(64, 64)",
  "print(torch.__version__)",
  "print('openblas' if any('openblas' in l for l in open('/proc/self/maps')) else 'reference-blas')",
].join("\n");

export function torchVersion(): string | null {
  const probe = () => {
    const r = spawnSync(PYTHON, ["-c", PROBE], { encoding: "utf8" });
    const [version, blas] = r.stdout.trim().split("\n");
    return r.status === 0 ? { version, openblas: blas === "openblas" } : null;
  };
  let found = probe();
  if ((!found || !found.openblas) && process.getuid?.() === 0 && !process.env.TUNELAB_BENCH_NO_INSTALL) {
    console.log(`installing ${TORCH_PACKAGES.join(" ")} with apt for the PyTorch columns (set TUNELAB_BENCH_NO_INSTALL=1 to skip)...`);
    spawnSync("apt-get", ["install", "-y", "-qq", ...TORCH_PACKAGES], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 600_000,
    });
    found = probe();
  }
  if (found && !found.openblas) {
    console.log("- reference: torch runs on the reference BLAS (no OpenBLAS loaded), ~10x slower: its columns are left out (apt-get install libopenblas0-pthread)");
    return null;
  }
  return found?.version ?? null;
}

/** One timed comparison, as the tables print it. */
export interface Measured {
  ours: number;
  torch?: number;
  /** Why the torch column is empty (torch missing or failing). */
  torchNote?: string;
  /** What torch_ref.py says about the variant it ran (e.g. AdamW's foreach). */
  torchInfo?: string;
  torchLoss?: number;
  /** The fastest torch time at this thread count or fewer, and that count (see preferBestTorch). */
  torchBest?: number;
  torchBestThreads?: number;
}

/**
 * Compares each row against torch's best time at its thread count or fewer. torch cannot
 * get slower from more threads on an idle machine, but its OpenMP barriers collapse when
 * another process holds a core; crediting tunelab with that would be a claim the bench
 * cannot back, so the speedup column uses whichever torch figure is faster.
 */
export function preferBestTorch(rows: { name: string; threads: number; m: Measured }[]): void {
  for (const r of rows) {
    let best: number | undefined;
    let at: number | undefined;
    for (const o of rows) {
      if (o.name !== r.name || o.threads > r.threads || o.m.torch === undefined) continue;
      if (best === undefined || o.m.torch < best) {
        best = o.m.torch;
        at = o.threads;
      }
    }
    r.m.torchBest = best;
    r.m.torchBestThreads = at;
  }
}

/**
 * Alternates `rounds` times between our fn and the torch job (each round gets
 * minTime / rounds per side) and returns both QUANTILEs.
 */
export async function compare(
  ours: () => void,
  torch: TorchRef | null,
  job: Record<string, unknown>,
  opts: { minTime?: number; rounds?: number; warmup?: number; minCalls?: number } = {},
): Promise<Measured> {
  const minTime = opts.minTime ?? MIN_TIME;
  const rounds = opts.rounds ?? 2;
  const warmup = opts.warmup ?? 1;
  const minCalls = opts.minCalls ?? 3;
  const mine: number[] = [];
  const theirs: number[] = [];
  let note: string | undefined;
  let info: string | undefined;
  let loss: number | undefined;
  for (let r = 0; r < rounds; r++) {
    mine.push(...samples(ours, minTime / rounds, r === 0 ? warmup : 0, Math.ceil(minCalls / rounds)));
    if (torch && note === undefined) {
      const res = await torch.run({ ...job, min_time: minTime / rounds, warmup: r === 0 ? warmup : 0, min_calls: Math.ceil(minCalls / rounds) });
      if (res.error) note = res.error;
      else {
        theirs.push(...res.samples);
        info = res.note;
        loss = res.loss;
      }
    }
  }
  return {
    ours: quantile(mine, QUANTILE),
    torch: theirs.length ? quantile(theirs, QUANTILE) : undefined,
    torchNote: note ?? (torch ? undefined : "-"),
    torchInfo: info,
    torchLoss: loss,
  };
}

/** A GitHub-markdown table with right-aligned number columns. */
export function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}

export function fmtMs(sec: number | undefined): string {
  if (sec === undefined || !Number.isFinite(sec)) return "-";
  const ms = sec * 1000;
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

/** torch time (its best at this many threads or fewer) / our time: above 1 means tunelab is faster. */
export function ratio(m: Measured): number | undefined {
  const t = m.torchBest ?? m.torch;
  return t === undefined ? undefined : t / m.ours;
}

/** The speedup, marked † when it is against torch's figure at fewer threads. */
export function fmtRatio(m: Measured, threads: number): string {
  const r = ratio(m);
  if (r === undefined || !Number.isFinite(r)) return "-";
  const dagger = m.torchBestThreads !== undefined && m.torchBestThreads !== threads ? ` †${m.torchBestThreads}` : "";
  return `${r.toFixed(2)}x${dagger}`;
}

/**
 * Deterministic values both engines compute bit for bit: a 32-bit integer hash of
 * (index, seed), mapped to a uniform number in [-0.5, 0.5) and scaled (in float64, then
 * rounded to float32). torch_ref.py's `hash_uniform` is the same function in int64 tensors.
 */
export function hash32(i: number, seed: number): number {
  let x = (i ^ Math.imul(seed, 0x9e3779b9)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** Largest |x - y| and largest |y| (the reference's scale); NaN anywhere gives NaN, different lengths an infinite diff. */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): { diff: number; scale: number } {
  let scale = 0;
  for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(y[i]));
  if (x.length !== y.length) return { diff: Infinity, scale };
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff = Math.max(diff, Math.abs(x[i] - y[i]));
  return { diff, scale };
}

/** Uniform values with standard deviation `std` (uniform on ±std·√3). */
export function hashUniform(n: number, seed: number, std: number): Float32Array {
  const out = new Float32Array(n);
  const scale = std * Math.sqrt(12);
  for (let i = 0; i < n; i++) out[i] = (hash32(i, seed) / 4294967296 - 0.5) * scale;
  return out;
}

/** Integers in [0, mod) from the same hash. */
export function hashInts(n: number, seed: number, mod: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = hash32(i, seed) % mod;
  return out;
}

/** A persistent float32 tensor of hash values (std 0 gives zeros, `fill` a constant). */
export function hashTensor(shape: number[], seed: number, std: number, fill?: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = fill !== undefined ? new Float32Array(n).fill(fill) : hashUniform(n, seed, std);
  return Tensor.fromTypedArray(data, shape, "float32").keep();
}

/** Frees the gradients fn left on leaves (what torch's `x.grad = None` does). */
export function clearGrads(ts: Tensor[]): void {
  for (const t of ts) {
    if (t.grad) {
      t.grad.dispose();
      t.grad = null;
    }
  }
}

/**
 * What other processes take of the machine's CPUs, measured rather than guessed from the load
 * average (which decays over minutes: a build that just ended reads as "busy"). From /proc/stat
 * (the machine's busy time) minus this process tree's: our own time, our reaped children's
 * (/proc/self/stat), and every live descendant's (the engines run in processes of their own,
 * reaped only when they exit). Linux only: elsewhere share() is null.
 */
export class OtherCpuUse {
  private readonly start = OtherCpuUse.sample();
  private readonly t0 = performance.now();

  /** utime, stime, cutime, cstime of /proc/<pid>/stat in seconds, and the parent pid. */
  private static times(pid: string): { ppid: number; seconds: number } | null {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // after "(comm)": state, ppid, ... so ppid is field 1 and utime..cstime (fields 14-17) sit at 11-14
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
      return { ppid: f[1], seconds: (f[11] + f[12] + f[13] + f[14]) / 100 }; // USER_HZ: 1/100 s on Linux
    } catch {
      return null; // gone meanwhile
    }
  }

  /** CPU-seconds: the machine's busy time, and this process tree's. */
  private static sample(): { machine: number; ours: number } | null {
    try {
      const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
      // user nice system idle iowait irq softirq steal (guest time is inside user)
      const machine = (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + (cpu[7] ?? 0)) / 100;
      const procs = new Map<number, { ppid: number; seconds: number }>();
      for (const pid of readdirSync("/proc")) {
        if (!/^\d+$/.test(pid)) continue;
        const t = OtherCpuUse.times(pid);
        if (t) procs.set(Number(pid), t);
      }
      const mine = (pid: number): boolean => {
        for (let p = procs.get(pid)?.ppid, hops = 0; p !== undefined && p > 1 && hops < 64; p = procs.get(p)?.ppid, hops++) {
          if (p === process.pid) return true;
        }
        return false;
      };
      let ours = procs.get(process.pid)?.seconds ?? 0;
      for (const [pid, t] of procs) if (mine(pid)) ours += t.seconds;
      return { machine, ours };
    } catch {
      return null;
    }
  }

  /** The share of all CPUs that other processes used since construction (0..1), or null. */
  share(): number | null {
    const now = OtherCpuUse.sample();
    const seconds = (performance.now() - this.t0) / 1000;
    if (!now || !this.start || seconds <= 0) return null;
    const others = now.machine - this.start.machine - (now.ours - this.start.ours);
    return Math.max(0, others) / (seconds * cpus().length);
  }

  /** Measures others' share over `seconds` while this process sleeps. */
  static over(seconds: number): number | null {
    const probe = new OtherCpuUse();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
    return probe.share();
  }
}

export interface Peak {
  one: number;
  all: number;
  note: string;
}

/** Builds and runs bench/fma_native.cpp; falls back to the clock-based figure without a compiler. */
export function measurePeak(threads: number): Peak {
  const src = join(repoRoot, "bench", "fma_native.cpp");
  const bin = join(repoRoot, "build", "fma_peak");
  if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) {
    const r = spawnSync("g++", ["-O2", "-march=native", "-ffp-contract=fast", "-pthread", src, "-o", bin], { encoding: "utf8" });
    if (r.status !== 0) return { one: NaN, all: NaN, note: `could not build bench/fma_native.cpp (${(r.stderr || String(r.error)).trim().split("\n")[0]}): no % of peak` };
  }
  const r = spawnSync(bin, [String(threads)], { encoding: "utf8" });
  const out = JSON.parse(r.stdout) as { lanes: number; one: number; all: number };
  const note = `FMA-only loop (bench/fma_native.cpp, ${out.lanes}-float vectors, best of 20): ${out.one.toFixed(0)} GFLOP/s on 1 core, ${out.all.toFixed(0)} on ${threads}`;
  // Other processes depress the all-core figure most (one stolen core halves it): an FMA loop
  // scales with cores, so the limit is never taken below threads x the 1-core figure.
  if (out.all >= 0.9 * threads * out.one) return { one: out.one, all: out.all, note };
  return { one: out.one, all: threads * out.one, note: `${note} (contended: the limit used is ${threads} x the 1-core figure, ${(threads * out.one).toFixed(0)})` };
}
