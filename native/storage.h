// Page-backed tensor storage: large buffers live in their own anonymous mappings, so the
// memory of a released tensor goes back to the OS at once (discard_pages) instead of when
// the JS garbage collector gets to its ArrayBuffer.
#pragma once
#include <cstdint>

namespace tl {

// A zero-filled, page-aligned private mapping of `bytes`, or nullptr (errno set).
void* alloc_pages(int64_t bytes);
// Unmaps a region from alloc_pages.
void free_pages(void* p, int64_t bytes);
// Returns the region's pages to the OS; it stays mapped and reads as zeros until written.
// Returns false (errno set) when the kernel refused.
bool discard_pages(void* p, int64_t bytes);

}  // namespace tl
