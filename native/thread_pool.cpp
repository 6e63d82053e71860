#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace tl {
namespace {

thread_local bool t_inside_pool = false;

int default_threads() {
  if (const char* env = std::getenv("TUNELAB_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

// Workers sleep on a condition variable between jobs and spin briefly after one, since
// kernels arrive back to back during a training step.
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
    uint64_t start_generation;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutdown_ = false;
      start_generation = generation_;
    }
    // Workers start from this generation, not from whatever they read once running:
    // a job posted before a new worker first takes the lock must still be seen by it.
    for (int i = 1; i < n; ++i)
      workers_.emplace_back([this, i, start_generation] { worker_loop(i, start_generation); });
  }

  void run(int parts, const std::function<void(int)>& job) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      parts_ = parts;
      pending_.store(parts - 1, std::memory_order_relaxed);
      ++generation_;
    }
    cv_.notify_all();
    t_inside_pool = true;
    job(0);
    t_inside_pool = false;
    while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = nullptr;
  }

 private:
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutdown_ = true;
      ++generation_;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  void worker_loop(int id, uint64_t seen) {
    t_inside_pool = true;
    for (;;) {
      const std::function<void(int)>* job = nullptr;
      int parts = 0;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (shutdown_) return;
        job = job_;
        parts = parts_;
      }
      if (job && id < parts) {
        (*job)(id);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  int n_threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool shutdown_ = false;
  const std::function<void(int)>* job_ = nullptr;
  int parts_ = 0;
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
  // Workers whose id >= parts skip the job, so a pool larger than the work is fine.
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
