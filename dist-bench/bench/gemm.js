/** GEMM rows: the products of a BERT-base layer and of LoRA's skinny factors, in GFLOP/s. */
import { linear, noGrad, randn, scope, setNumThreads } from "../src/index.js";
import { compare, fmtRatio, table } from "./common.js";
/** M, K, N; transB: the weight is stored (N, K) as in nn.Linear (x @ W^T). */
const GEMM_SHAPES = [
    [1024, 768, 768, false],
    [1024, 768, 3072, false],
    [1024, 3072, 768, false],
    [512, 512, 512, false],
    [1024, 768, 8, false],
    [1024, 8, 768, false],
    [1024, 768, 768, true],
    [1024, 768, 3072, true],
];
export async function benchGemm(threadCounts, torch) {
    const rows = [];
    for (const threads of threadCounts) {
        setNumThreads(threads);
        for (const [M, K, N, transB] of GEMM_SHAPES) {
            const x = randn([M, K]).keep();
            const w = (transB ? randn([N, K]) : randn([K, N])).keep();
            const m = await compare(() => noGrad(() => scope(() => void (transB ? linear(x, w) : x.matmul(w)))), torch, { kind: "gemm", M, K, N, transB, threads }, { minTime: 0.4 });
            x.dispose();
            w.dispose();
            rows.push({ name: `gemm ${M}x${K}x${N}${transB ? " (x@W^T)" : ""}`, threads, flops: 2 * M * N * K, m });
        }
    }
    return rows;
}
export function gemmTable(rows, peak) {
    return table(["kernel", "threads", "tunelab GFLOP/s", "% of peak", "torch GFLOP/s", "speedup vs torch"], rows.map((r) => {
        const ours = r.flops / r.m.ours / 1e9;
        const theirs = r.m.torch ? r.flops / r.m.torch / 1e9 : undefined;
        const p = peak(r.threads);
        return [r.name, r.threads, ours.toFixed(1), p > 0 ? `${((100 * ours) / p).toFixed(0)}%` : "-", theirs?.toFixed(1) ?? "-", fmtRatio(r.m, r.threads)];
    }));
}
//# sourceMappingURL=gemm.js.map