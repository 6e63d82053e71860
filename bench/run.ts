/**
 * `npm run bench [gemm|kernels|train ...]`: kernel and training-step figures, each beside
 * PyTorch (Debian's python3-torch) on the same machine, in the same run, same shapes.
 * Sections: gemm, kernels, train (default: all); `memory` (bench/memory.ts), `models`
 * (bench/models.ts: whole models beside PyTorch and onnxruntime) and `gemm-chain`
 * (bench/gemm_chain.ts: BERT-base's GEMMs alone beside onnxruntime) run alone. TUNELAB_BENCH_MIN_TIME scales the
 * seconds spent per measurement; TUNELAB_BENCH_THREADS=N times only N threads.
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { cpuFeatures, getNumThreads, setNumThreads } from "../src/index.js";
import { type Measured, PYTHON, QUANTILE, TorchRef, geomean, preferBestTorch, ratio } from "./common.js";
import { benchGemm, gemmTable } from "./gemm.js";
import { benchGemmChain } from "./gemm_chain.js";
import { benchKernels, kernelTable } from "./kernels.js";
import { benchTrain, trainTable } from "./train_step.js";
import { benchMemory } from "./memory.js";
import { benchModels } from "./models.js";

const SECTIONS = ["gemm", "kernels", "train"] as const;
type Section = (typeof SECTIONS)[number];

function cpuGhz(): number {
  for (const f of ["/sys/devices/system/cpu/cpu0/cpufreq/base_frequency", "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"]) {
    try {
      return Number(readFileSync(f, "utf8")) / 1e6;
    } catch {
      // not exposed (VMs): fall through
    }
  }
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const named = /model name\s*:.*@\s*([\d.]+)\s*GHz/.exec(info);
    if (named) return Number(named[1]);
    const mhz = /cpu MHz\s*:\s*([\d.]+)/.exec(info);
    if (mhz) return Number(mhz[1]) / 1000;
  } catch {
    // not Linux
  }
  return (cpus()[0]?.speed ?? 0) / 1000;
}

/** Theoretical FP32 peak: cores x GHz x 2 FMA units x SIMD lanes x 2 FLOPs. */
function peakGflops(threads: number): { gflops: number; note: string } {
  const f = cpuFeatures();
  const lanes = f.avx512f ? 16 : f.avx2 ? 8 : 4;
  const ghz = cpuGhz();
  return {
    gflops: threads * ghz * 2 * lanes * 2,
    note: `${threads} core(s) x ${ghz.toFixed(2)} GHz (the clock the OS reports; turbo can exceed it) x 2 FMA units x ${lanes} lanes x 2`,
  };
}

function parseSections(args: string[]): Set<Section> {
  if (args.length === 0) return new Set(SECTIONS);
  const out = new Set<Section>();
  for (const a of args) {
    if (!(SECTIONS as readonly string[]).includes(a)) {
      console.error(`bench: unknown section "${a}"; choose from ${SECTIONS.join(", ")} (default: all)`);
      process.exit(2);
    }
    out.add(a as Section);
  }
  return out;
}

function torchProblems(rows: { name: string; threads: number; m: { torchNote?: string } }[]): void {
  for (const r of rows) {
    if (r.m.torchNote && r.m.torchNote !== "-") console.log(`- torch failed on "${r.name}" (${r.threads} threads): ${r.m.torchNote}`);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "models") {
    // Whole models in tunelab, PyTorch and onnxruntime, one process per engine: bench/models.ts.
    process.exitCode = await benchModels(process.argv.slice(3));
    return;
  }
  if (process.argv[2] === "gemm-chain") {
    // BERT-base's GEMMs alone beside onnxruntime's: bench/gemm_chain.ts.
    console.log(await benchGemmChain(process.argv.slice(3)));
    return;
  }
  if (process.argv[2] === "memory") {
    // Separate processes per configuration, large generated checkpoints: bench/memory.ts.
    console.log(await benchMemory(process.argv.slice(3)));
    return;
  }
  const sections = parseSections(process.argv.slice(2));
  const started = performance.now();
  const maxThreads = getNumThreads();
  const only = Number(process.env.TUNELAB_BENCH_THREADS ?? 0);
  const threadCounts = only > 0 ? [only] : [...new Set([1, maxThreads])];
  const f = cpuFeatures();
  const simd = ["avx512f", "avx512bw", "avx2", "fma", "f16c"].filter((k) => f[k as keyof typeof f]).join(", ") || "none";
  console.log(`# tunelab bench`);
  console.log("");
  console.log(`- machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} logical CPU(s), tunelab threads ${maxThreads}, SIMD ${simd} (simdLevel ${f.simdLevel})`);
  for (const t of threadCounts) {
    const p = peakGflops(t);
    console.log(`- theoretical FP32 peak at ${t} thread(s): ${p.gflops.toFixed(0)} GFLOP/s (${p.note})`);
  }
  const torch = TorchRef.start();
  console.log(
    torch
      ? `- reference: PyTorch ${torch.version} (${PYTHON}), same shapes, same thread count (torch.set_num_threads and OpenBLAS's own pool, which set_num_threads leaves at all cores), timed alternately with tunelab in this run`
      : "- reference: none — python3-torch with OpenBLAS is not available (apt-get install python3-torch libopenblas0-pthread); torch columns say \"-\"",
  );
  console.log(`- figures: the ${QUANTILE * 100}th percentile of per-call times (robust to other processes)`);
  console.log(
    "- speedup vs torch = torch time / tunelab time (above 1: tunelab is faster), against torch's best time at that many threads or fewer; †1 marks rows where torch was faster on 1 thread than on all (a contended core stalls OpenMP barriers), so its 1-thread time is used",
  );
  const n = cpus().length;
  const startLoad = loadavg()[0];
  if (startLoad > 0.5 * n) {
    console.log(
      `- WARNING: load average ${startLoad.toFixed(1)} on ${n} CPU(s) before the bench started: other processes compete for the cores, so multi-thread figures (torch's OpenMP most) are pessimistic; rerun on an idle machine for numbers to quote`,
    );
  } else {
    console.log(`- load average before the bench: ${startLoad.toFixed(1)} on ${n} CPU(s)`);
  }

  const summary: string[] = [];
  /** "GEMM 1.10x / 1.20x": the geometric mean of the speedups at each thread count. */
  const summarize = (label: string, rows: { threads: number; m: Measured }[]) => {
    const per = threadCounts.map((t) => geomean(rows.filter((r) => r.threads === t).map((r) => ratio(r.m) ?? NaN)));
    if (per.some((g) => Number.isFinite(g))) summary.push(`${label} ${per.map((g) => (Number.isFinite(g) ? `${g.toFixed(2)}x` : "-")).join(" / ")}`);
  };

  try {
    if (sections.has("gemm")) {
      const rows = await benchGemm(threadCounts, torch);
      preferBestTorch(rows);
      console.log("\n## GEMM\n");
      console.log(gemmTable(rows, (t) => peakGflops(t).gflops));
      torchProblems(rows);
      summarize("GEMM", rows);
    }
    let foreach = false;
    if (sections.has("kernels")) {
      const rows = await benchKernels(threadCounts, torch);
      preferBestTorch(rows);
      console.log("\n## Kernels (through the public ops, autograd included)\n");
      console.log(kernelTable(rows));
      torchProblems(rows);
      console.log(
        "\nfwd+bwd rows call y.backward(dy) with a fixed dy, as the torch side does.",
      );
      const adam = rows.find((r) => r.name.startsWith("AdamW") && r.threads === threadCounts[threadCounts.length - 1]);
      foreach = adam?.m.torchInfo === "foreach=True";
      summarize("kernels", rows);
    }
    if (sections.has("train")) {
      const rows = await benchTrain(threadCounts, torch, Number(process.env.TUNELAB_BENCH_TRAIN_TIME ?? 2), foreach);
      preferBestTorch(rows);
      console.log("\n## Training steps\n");
      console.log(trainTable(rows));
      console.log(
        `\nBoth engines build the same architecture from the same hashed weights (bench/common.ts hashUniform); "eval loss" is one forward in eval mode before training, so the two must agree. torch AdamW: foreach=${foreach ? "True" : "False"}${sections.has("kernels") ? " (the faster in the AdamW row)" : ""}.`,
      );
      torchProblems(rows);
      for (const r of rows) {
        const tl = r.m.torchLoss;
        if (tl !== undefined && Math.abs(tl - r.oursLoss) > 1e-3 * Math.max(1, Math.abs(tl))) {
          console.log(`- WARNING: ${r.c.name}: eval loss ${r.oursLoss} differs from torch's ${tl}: the two models are not the same computation`);
        }
      }
      summarize("training steps", rows);
    }
  } finally {
    torch?.close();
    setNumThreads(maxThreads);
  }
  const secs = ((performance.now() - started) / 1000).toFixed(0);
  console.log("");
  console.log(`Load average at the end: ${loadavg()[0].toFixed(1)} on ${n} CPU(s) (this bench included).\n`);
  console.log(
    summary.length
      ? `**Summary** — tunelab vs PyTorch ${torch?.version}, geometric mean of the speedups at ${threadCounts.join(" / ")} thread(s): ${summary.join("; ")}; bench took ${secs} s.`
      : `**Summary**: no torch reference in this run; bench took ${secs} s.`,
  );
}

await main();
