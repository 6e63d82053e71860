// A per-thread scratch buffer, 64-byte aligned, that only grows: a kernel's packing space or
// partial sums are allocated once per thread (the pool's threads live as long as the pool),
// not once per call.
#pragma once
#include <cstddef>
#include <cstdlib>

namespace tl {

class Workspace {
 public:
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() { std::free(data_); }
  // At least `floats` floats, or nullptr when the allocation fails (the old buffer is gone then).
  float* get(size_t floats) {
    if (floats > capacity_) {
      std::free(data_);
      const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      capacity_ = data_ ? floats : 0;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace tl
