"""Times the same workloads with PyTorch on this machine, for bench/run.ts.

Reads a JSON list of jobs on stdin, prints one JSON object per job. Only the standard
library and torch are used, so Debian's python3-torch is enough.
"""
import json
import sys
import time

import torch


def timeit(fn, min_time=0.5, warmup=2):
    for _ in range(warmup):
        fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            return elapsed / n


def gemm(job):
    m, k, n = job["M"], job["K"], job["N"]
    a = torch.randn(m, k)
    b = torch.randn(n, k) if job.get("transB") else torch.randn(k, n)
    if job.get("transB"):
        return timeit(lambda: torch.mm(a, b.t()))
    return timeit(lambda: torch.mm(a, b))


def main():
    jobs = json.load(sys.stdin)
    for job in jobs:
        torch.set_num_threads(job["threads"])
        kind = job["kind"]
        if kind == "gemm":
            sec = gemm(job)
        else:
            raise SystemExit(f"unknown job kind {kind}")
        print(json.dumps({"id": job["id"], "seconds": sec, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
