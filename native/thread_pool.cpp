#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cmath>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sched.h>
#endif

namespace tl {
namespace {

thread_local bool t_inside_pool = false;

// Polls of a waiting worker (or of the caller waiting for chunks) before a worker sleeps:
// a pause is ~10-40 cycles, so this is some tens of microseconds.
constexpr int kSpinChecks = 4000;
// Then a worker keeps polling for this long, yielding its core between polls, before it
// sleeps: a model's next parallel op often comes a few hundred microseconds later (after
// TypeScript and single-threaded ops), and waking a sleeping worker took ~20 us here (a
// 1 ms GEMM's share is 2%); yielding, unlike spinning, hands the core to any other thread
// that wants it (spinning 1 ms instead made a model-like chain 12% slower under load).
#if defined(TL_GEMM_PROFILE)
int g_yield_us = 2000;  // a knob for bench/gemm_native.cpp
#define kYieldMicros g_yield_us
#else
constexpr int kYieldMicros = 2000;
#endif
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// CPUs a cgroup quota allows (cgroup v2 cpu.max "quota period", v1 cfs_quota_us/period),
// rounded up; 0 when there is no quota or no cgroup file.
int cgroup_cpu_limit() {
  double quota = -1, period = 0;
  std::ifstream v2("/sys/fs/cgroup/cpu.max");
  std::string q;
  if (v2 >> q >> period) {
    if (q == "max") return 0;
    quota = std::atof(q.c_str());
  } else {
    std::ifstream v1q("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), v1p("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
    if (!(v1q >> quota) || !(v1p >> period)) return 0;
  }
  if (quota <= 0 || period <= 0) return 0;
  return std::max(1, static_cast<int>(std::ceil(quota / period)));
}

}  // namespace

int available_cpus() {
  int n = static_cast<int>(std::thread::hardware_concurrency());
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = CPU_COUNT(&set);
#endif
  int quota = cgroup_cpu_limit();
  if (quota > 0 && (n <= 0 || quota < n)) n = quota;
  return n > 0 ? n : 1;
}

namespace {

int default_threads() {
  if (const char* env = std::getenv("TUNELAB_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  return available_cpus();
}

// A job is `parts` chunks; the caller and the workers it wakes claim chunks from one atomic
// counter until none is left, and the caller returns once every chunk has finished. A worker
// that is slow to start (another process holds its core) finds nothing left to claim and the
// caller does its share, instead of the whole job waiting for it. Chunk c always covers the
// same range and is passed to the job as its index, so results do not depend on which
// thread ran it.
//
// Between jobs a worker polls for the next one for a few tens of microseconds (a model's ops
// arrive microseconds apart), then sleeps on its own condition variable.
class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return n_threads_; }

  void resize(int n) {
    if (n < 1) n = default_threads();
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    stop();
    n_threads_ = n;
    shutdown_.store(false);
    slots_.clear();
    for (int i = 0; i < n; ++i) slots_.push_back(std::make_unique<Slot>());
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  }

  void run(int parts, const std::function<void(int)>& job) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    // The previous job has fully finished (every chunk done), so no worker reads these now.
    job_.store(&job, std::memory_order_relaxed);
    parts_.store(parts, std::memory_order_relaxed);
    finished_.store(0, std::memory_order_relaxed);
    const uint64_t epoch = (claim_.load(std::memory_order_relaxed) >> 32) + 1;
    claim_.store(epoch << 32, std::memory_order_release);
    for (int i = 1; i < parts; ++i) {
      Slot& s = *slots_[i];
      std::lock_guard<std::mutex> lock(s.mutex);
      if (s.sleeping) s.cv.notify_one();
    }
    t_inside_pool = true;
    run_chunks();
    t_inside_pool = false;
    // Chunks still running on workers: poll briefly, then sleep until the last one is done
    // (a yield loop would burn this core, and a syscall a turn, for as long as they run).
    for (int i = 0; i < kSpinChecks && finished_.load(std::memory_order_acquire) != parts; ++i)
      cpu_relax();
    if (finished_.load(std::memory_order_acquire) != parts) {
      std::unique_lock<std::mutex> lock(done_mutex_);
      done_cv_.wait(lock, [&] { return finished_.load(std::memory_order_acquire) == parts; });
    }
  }

 private:
  struct Slot {
    std::mutex mutex;
    std::condition_variable cv;
    bool sleeping = false;  // guarded by mutex
  };

  // Claims and runs chunks of the current job until none is left. The claim is a CAS on
  // (epoch, next chunk): it succeeds only while that job still has unclaimed chunks, so the
  // job and part count read just before belong to it (the caller replaces them only after
  // every chunk has finished).
  void run_chunks() {
    uint64_t s = claim_.load(std::memory_order_acquire);
    for (;;) {
      const std::function<void(int)>* job = job_.load(std::memory_order_relaxed);
      const uint32_t parts = uint32_t(parts_.load(std::memory_order_relaxed));
      const uint32_t next = uint32_t(s);
      if (next >= parts) return;
      if (!claim_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                        std::memory_order_acquire))
        continue;  // s now holds the current value
      (*job)(int(next));
      if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == int(parts)) {
        // The job's last chunk: wake the caller if it went to sleep (under the mutex, so a
        // caller between its check and its wait cannot miss this).
        std::lock_guard<std::mutex> lock(done_mutex_);
        done_cv_.notify_one();
      }
      s = claim_.load(std::memory_order_acquire);
    }
  }

  void stop() {
    shutdown_.store(true);
    for (size_t i = 1; i < slots_.size(); ++i) {
      Slot& s = *slots_[i];
      std::lock_guard<std::mutex> lock(s.mutex);
      s.cv.notify_one();
    }
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  uint64_t epoch_now() const { return claim_.load(std::memory_order_acquire) >> 32; }

  void worker_loop(int id) {
    t_inside_pool = true;
    Slot& slot = *slots_[id];
    uint64_t seen = epoch_now();
    for (;;) {
      for (int spin = 0; spin < kSpinChecks && epoch_now() == seen && !shutdown_.load(); ++spin)
        cpu_relax();
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kYieldMicros);
      while (epoch_now() == seen && !shutdown_.load() && std::chrono::steady_clock::now() < until)
        std::this_thread::yield();
      if (epoch_now() == seen) {
        std::unique_lock<std::mutex> lock(slot.mutex);
        slot.sleeping = true;
        slot.cv.wait(lock, [&] { return epoch_now() != seen || shutdown_.load(); });
        slot.sleeping = false;
      }
      if (shutdown_.load()) return;
      seen = epoch_now();
      run_chunks();
    }
  }

  int n_threads_ = 1;
  std::vector<std::thread> workers_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex run_mutex_;  // one job at a time
  std::atomic<bool> shutdown_{false};
  std::atomic<const std::function<void(int)>*> job_{nullptr};
  std::atomic<int> parts_{0};
  std::atomic<int> finished_{0};
  std::mutex done_mutex_;               // the caller sleeps on done_cv_ for the last chunk
  std::condition_variable done_cv_;
  std::atomic<uint64_t> claim_{0};  // (epoch << 32) | next unclaimed chunk
};

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

}  // namespace

int num_threads() { return pool().size(); }
#if defined(TL_GEMM_PROFILE)
int* pool_yield_knob() { return &g_yield_us; }
#endif

void set_num_threads(int n) { pool().resize(n); }

void parallel_for(int64_t n, int64_t grain,
                  const std::function<void(int, int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  int threads = t_inside_pool ? 1 : num_threads();
  int64_t parts = std::min<int64_t>(threads, (n + grain - 1) / grain);
  if (parts <= 1) {
    fn(0, 0, n);
    return;
  }
  // Only workers 1..parts-1 are woken, so a pool larger than the work costs nothing. tid is
  // the chunk's index (which thread runs it does not matter).
  const int64_t chunk = n / parts, extra = n % parts;
  std::function<void(int)> job = [&](int tid) {
    if (tid >= parts) return;
    int64_t begin = tid * chunk + std::min<int64_t>(tid, extra);
    int64_t end = begin + chunk + (tid < extra ? 1 : 0);
    fn(tid, begin, end);
  };
  pool().run(static_cast<int>(parts), job);
}

}  // namespace tl
