// Runs a kernel test at every SIMD level this machine has (portable, AVX2, AVX-512).
#pragma once
#include "kernels.h"

namespace check {

// Runs `fn` once at each SIMD level this machine has, then restores auto.
template <class Fn>
void for_each_level(Fn fn) {
  tl::set_simd_level(0);
  const int top = tl::simd_level();
  for (int level = 1; level <= top; ++level) {
    tl::set_simd_level(level);
    fn();
  }
  tl::set_simd_level(0);
}

}  // namespace check
