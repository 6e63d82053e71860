/**
 * `npm run bench`: kernel and training-step figures, each beside PyTorch on the same
 * machine in the same run when Debian's python3-torch is available.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randn, getNumThreads, setNumThreads, cpuFeatures, linear, noGrad, scope } from "../src/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");
const PYTHON = "/usr/bin/python3";

interface Row {
  name: string;
  threads: number;
  ours: number; // seconds
  flops?: number;
  torch?: number;
}

function timeit(fn: () => void, minTime = 0.5, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  let n = 0;
  const start = performance.now();
  for (;;) {
    fn();
    n++;
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= minTime) return elapsed / n;
  }
}

function torchAvailable(): string | null {
  const probe = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  if (probe.status === 0) return probe.stdout.trim();
  if (process.getuid?.() === 0 && !process.env.TUNELAB_BENCH_NO_INSTALL) {
    console.log("python3-torch is not installed; installing it with apt (set TUNELAB_BENCH_NO_INSTALL=1 to skip)...");
    spawnSync("apt-get", ["install", "-y", "-qq", "python3-torch"], { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 600_000 });
    const again = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
    if (again.status === 0) return again.stdout.trim();
  }
  return null;
}

function runTorch(jobs: object[]): Map<string, number> {
  const r = spawnSync(PYTHON, [join(repoRoot, "bench", "torch_ref.py")], { input: JSON.stringify(jobs), encoding: "utf8", maxBuffer: 1 << 24 });
  const out = new Map<string, number>();
  if (r.status !== 0) {
    console.log(`PyTorch reference failed: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    return out;
  }
  for (const line of r.stdout.trim().split("\n")) {
    const o = JSON.parse(line) as { id: string; seconds: number };
    out.set(o.id, o.seconds);
  }
  return out;
}

/** Theoretical FP32 peak: cores x GHz x FLOPs per cycle (2 FMA units x lanes x 2). */
function peakGflops(threads: number): { gflops: number; note: string } {
  const f = cpuFeatures();
  const lanes = f.avx512f ? 16 : f.avx2 ? 8 : 4;
  let ghz = 0;
  try {
    const base = readFileSync("/sys/devices/system/cpu/cpu0/cpufreq/base_frequency", "utf8");
    ghz = Number(base) / 1e6;
  } catch {
    ghz = (cpus()[0]?.speed ?? 0) / 1000;
  }
  const gflops = threads * ghz * 2 * lanes * 2;
  return { gflops, note: `${threads} core(s) x ${ghz.toFixed(2)} GHz x 2 FMA x ${lanes} lanes x 2` };
}

const GEMM_SHAPES: [number, number, number, boolean][] = [
  // M, K, N, weight stored (N, K) as nn.Linear (x @ W^T)
  [1024, 768, 768, false],
  [1024, 768, 3072, false],
  [1024, 3072, 768, false],
  [512, 512, 512, false],
  [1024, 768, 8, false],
  [1024, 8, 768, false],
  [1024, 768, 768, true],
  [1024, 768, 3072, true],
];

function benchGemm(threadCounts: number[]): Row[] {
  const rows: Row[] = [];
  for (const threads of threadCounts) {
    setNumThreads(threads);
    for (const [M, K, N, transB] of GEMM_SHAPES) {
      scope(() => {
        const x = randn([M, K]);
        const w = transB ? randn([N, K]) : randn([K, N]);
        const sec = noGrad(() =>
          timeit(() => scope(() => void (transB ? linear(x, w) : x.matmul(w)))),
        );
        rows.push({ name: `gemm ${M}x${K}x${N}${transB ? " (x@W^T)" : ""}`, threads, ours: sec, flops: 2 * M * N * K });
      });
    }
  }
  return rows;
}

function main(): void {
  const maxThreads = getNumThreads();
  const threadCounts = [...new Set([1, maxThreads])];
  console.log(`tunelab bench — ${cpus()[0]?.model ?? "unknown CPU"}, ${maxThreads} thread(s), SIMD ${JSON.stringify(cpuFeatures())}`);
  for (const t of threadCounts) {
    const p = peakGflops(t);
    console.log(`theoretical FP32 peak at ${t} thread(s): ${p.gflops.toFixed(0)} GFLOP/s (${p.note})`);
  }
  const torchVersion = torchAvailable();
  console.log(torchVersion ? `PyTorch ${torchVersion} (${PYTHON}) runs the same shapes in this run` : "PyTorch column skipped: python3-torch is not installed (apt-get install python3-torch)");

  const rows = benchGemm(threadCounts);
  if (torchVersion) {
    const jobs = rows.map((r, i) => {
      const [M, K, N, transB] = GEMM_SHAPES[i % GEMM_SHAPES.length];
      return { id: String(i), kind: "gemm", M, K, N, transB, threads: r.threads };
    });
    const t = runTorch(jobs);
    rows.forEach((r, i) => (r.torch = t.get(String(i))));
  }
  console.log("");
  console.log("| kernel | threads | tunelab GFLOP/s | torch GFLOP/s | ratio |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const r of rows) {
    const ours = r.flops! / r.ours / 1e9;
    const theirs = r.torch ? r.flops! / r.torch / 1e9 : undefined;
    console.log(`| ${r.name} | ${r.threads} | ${ours.toFixed(1)} | ${theirs?.toFixed(1) ?? "-"} | ${theirs ? (ours / theirs).toFixed(2) + "x" : "-"} |`);
  }
  setNumThreads(maxThreads);
}

main();

