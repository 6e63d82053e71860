// Page-backed tensor storage (storage.h). MAP_PRIVATE | MAP_ANONYMOUS pages are zero until
// touched, and MADV_DONTNEED drops them from the resident set immediately; the mapping itself
// is only unmapped by free_pages, which the ArrayBuffer's finalizer calls, so a stale view of
// a discarded buffer reads zeros instead of faulting.
#include "storage.h"

#include <sys/mman.h>

namespace tl {

void* alloc_pages(int64_t bytes) {
  if (bytes <= 0) return nullptr;
  void* p = mmap(nullptr, size_t(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

void free_pages(void* p, int64_t bytes) {
  if (p) munmap(p, size_t(bytes));
}

bool discard_pages(void* p, int64_t bytes) {
  return p && madvise(p, size_t(bytes), MADV_DONTNEED) == 0;
}

}  // namespace tl
