// The harness itself: a comparison that can lose a NaN lets every kernel test pass on garbage.
#include <cmath>
#include <limits>
#include "check.h"

TEST(max_rel_err_reports_a_nan_at_any_position) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float zeros[3] = {0.f, 0.f, 0.f};
  for (int at = 0; at < 3; ++at) {
    float a[3] = {0.f, 0.f, 0.f};
    a[at] = nan;
    CHECK(std::isnan(check::max_rel_err(a, zeros, 3)));
    CHECK(std::isnan(check::max_rel_err(zeros, a, 3)));
  }
}

TEST(max_rel_err_measures_the_worst_finite_element) {
  const float inf = std::numeric_limits<float>::infinity();
  const float a[3] = {1.f, 4.f, inf};
  const float b[3] = {1.f, 2.f, inf};
  CHECK(check::max_rel_err(a, b, 3) == 1.0);  // |4-2| / max(1, 2)
}
