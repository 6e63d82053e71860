// CPU feature detection and the run-time SIMD level every kernel dispatches on.
//
// The addon is built without -march flags, so the same binary runs on any x86-64; SIMD
// paths are compiled per function with target attributes and picked here at run time.
// A feature counts only when the CPU has it AND the OS saves its register state on a
// context switch (XCR0 via xgetbv): a hypervisor may hide AVX-512 state even when CPUID
// advertises the instructions, and using them then faults.
#include <algorithm>
#include <atomic>

#include "kernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace tl {
namespace {

#if defined(__x86_64__)
// XCR0 (extended control register 0): which register states the OS saves.
uint64_t read_xcr0() {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (uint64_t(edx) << 32) | eax;
}
#endif

CpuFeatures detect() {
  CpuFeatures f;
#if defined(__x86_64__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & bit_OSXSAVE;
  if (!osxsave || !(ecx & bit_AVX)) return f;  // xgetbv itself needs OSXSAVE
  const uint64_t xcr0 = read_xcr0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;     // SSE + AVX upper halves
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;   // + opmask, ZMM0-15 high, ZMM16-31
  if (!ymm_state) return f;
  f.fma = ecx & bit_FMA;
  f.f16c = ecx & bit_F16C;
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  f.avx2 = ebx & bit_AVX2;
  if (zmm_state) {
    f.avx512f = ebx & bit_AVX512F;
    f.avx512bw = ebx & bit_AVX512BW;
  }
#endif
  return f;
}

// The highest level this machine supports: 3 needs AVX2/FMA too, since the AVX-512 GEMM
// reuses the AVX2 packing routines.
int machine_level() {
  const CpuFeatures& f = cpu_features();
  if (f.avx2 && f.fma && f.avx512f) return 3;
  if (f.avx2 && f.fma) return 2;
  return 1;
}

std::atomic<int> g_requested_level{0};  // 0 = auto

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

void set_simd_level(int level) { g_requested_level.store(std::clamp(level, 0, 3)); }

int simd_level() {
  const int requested = g_requested_level.load(std::memory_order_relaxed);
  const int best = machine_level();
  return requested == 0 ? best : std::min(requested, best);
}

}  // namespace tl
