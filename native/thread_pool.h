// A persistent pool of worker threads shared by every kernel.
//
// Sized to the CPUs this process may use — its affinity mask and its cgroup's CPU quota —
// (TUNELAB_NUM_THREADS overrides); a job wakes only the workers it has parts for. Work is split into
// contiguous index ranges by a fixed rule that depends only on (n, thread count), so a
// kernel that reduces per range and combines ranges in index order is bit-identical
// run to run for the same thread count. Threads claim ranges as they come (thread_pool.cpp),
// so a worker descheduled by another process does not hold the job up.
#pragma once
#include <cstdint>
#include <functional>

namespace tl {

// Number of threads parallel_for uses (the caller's thread included).
int num_threads();
// Resizes the pool; n < 1 means available_cpus() (or TUNELAB_NUM_THREADS).
void set_num_threads(int n);
// CPUs this process may run on: the affinity mask (sched_getaffinity), capped by the cgroup
// quota (cpu.max, or v1's cfs quota/period) rounded up; hardware_concurrency elsewhere.
int available_cpus();

// Calls fn(tid, begin, end) over a partition of [0, n) into at most num_threads() ranges
// of at least `grain` items each, and returns when all are done. tid < num_threads() is the
// range's index: range tid is the same for the same (n, grain, thread count) whichever
// thread runs it, and two calls never share a tid at once (per-tid scratch is safe).
// Nested calls (from inside fn) run serially on the calling thread.
void parallel_for(int64_t n, int64_t grain,
                  const std::function<void(int tid, int64_t begin, int64_t end)>& fn);

}  // namespace tl
