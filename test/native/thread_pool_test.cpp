// The thread pool: every range runs exactly once with its fixed bounds, ranges are the same
// whichever thread runs them, nested calls run inline, and the pool survives resizing and
// thousands of back-to-back jobs (the claim counter and the sleeping/polling hand-off).
#include <atomic>
#include <vector>

#include "check.h"
#include "thread_pool.h"

namespace {

// Runs parallel_for and records, per tid, the range it got and how often.
struct Seen {
  std::vector<int64_t> begin, end;
  std::vector<std::atomic<int>> calls;
  explicit Seen(int n) : begin(n, -1), end(n, -1), calls(n) {}
};

}  // namespace

TEST(parallel_for_covers_every_range_once) {
  const int saved = tl::num_threads();
  for (int threads : {1, 2, 3, 5}) {
    tl::set_num_threads(threads);
    for (int64_t n : {1, 2, 7, 100, 4097}) {
      for (int64_t grain : {1, 3, 1000}) {
        std::vector<std::atomic<int>> hits(n);
        Seen seen(threads);
        tl::parallel_for(n, grain, [&](int tid, int64_t b, int64_t e) {
          CHECK(tid >= 0 && tid < threads);
          seen.calls[tid]++;
          seen.begin[tid] = b, seen.end[tid] = e;
          for (int64_t i = b; i < e; ++i) hits[i]++;
        });
        for (int64_t i = 0; i < n; ++i) CHECK(hits[i].load() == 1);
        // Ranges are contiguous in tid order: tid t starts where t - 1 ended.
        int64_t at = 0;
        for (int t = 0; t < threads && seen.calls[t].load(); ++t) {
          CHECK(seen.calls[t].load() == 1);
          CHECK(seen.begin[t] == at);
          at = seen.end[t];
        }
        CHECK(at == n);
      }
    }
  }
  tl::set_num_threads(saved);
}

TEST(parallel_for_many_small_jobs_and_nesting) {
  const int saved = tl::num_threads();
  tl::set_num_threads(3);
  std::atomic<int64_t> total{0};
  for (int job = 0; job < 20000; ++job) {
    tl::parallel_for(3, 1, [&](int, int64_t b, int64_t e) {
      // A nested call runs inline on this thread as one range.
      tl::parallel_for(4, 1, [&](int tid, int64_t nb, int64_t ne) {
        CHECK(tid == 0 && nb == 0 && ne == 4);
      });
      total += e - b;
    });
  }
  CHECK(total.load() == 3 * 20000);
  tl::set_num_threads(saved);
}
