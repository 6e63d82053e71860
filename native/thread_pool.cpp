#include "thread_pool.h"

#include <algorithm>
#include <atomic>
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

// Each worker sleeps on its own condition variable between jobs; a job wakes only the
// workers it has parts for (a small kernel on a many-core machine wakes one or two).
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
    job_ = &job;
    pending_.store(parts - 1, std::memory_order_relaxed);
    // The slot's mutex publishes job_ to the worker it wakes.
    for (int i = 1; i < parts; ++i) {
      Slot& s = *slots_[i];
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        ++s.posted;
      }
      s.cv.notify_one();
    }
    t_inside_pool = true;
    job(0);
    t_inside_pool = false;
    while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    job_ = nullptr;
  }

 private:
  struct Slot {
    std::mutex mutex;
    std::condition_variable cv;
    uint64_t posted = 0;
  };

  void stop() {
    shutdown_.store(true);
    for (size_t i = 1; i < slots_.size(); ++i) {
      Slot& s = *slots_[i];
      { std::lock_guard<std::mutex> lock(s.mutex); }
      s.cv.notify_one();
    }
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  void worker_loop(int id) {
    t_inside_pool = true;
    Slot& slot = *slots_[id];
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(slot.mutex);
        slot.cv.wait(lock, [&] { return slot.posted != seen || shutdown_.load(); });
        if (shutdown_.load()) return;
        seen = slot.posted;
      }
      (*job_)(id);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  int n_threads_ = 1;
  std::vector<std::thread> workers_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::mutex run_mutex_;  // one job at a time
  std::atomic<bool> shutdown_{false};
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<int> pending_{0};
};

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

}  // namespace

int num_threads() { return pool().size(); }

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
  // Only workers 1..parts-1 are woken, so a pool larger than the work costs nothing.
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
