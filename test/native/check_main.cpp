#include <cstdio>
#include "check.h"

int main(int argc, char** argv) {
  auto& r = check::Registry::get();
  const char* suite = argc > 0 ? argv[0] : "native";
  int passed = 0, failed = 0;
  for (auto& [name, fn] : r.tests) {
    int before = r.failures;
    fn();
    if (r.failures == before) { ++passed; std::printf("ok %s\n", name.c_str()); }
    else { ++failed; std::printf("not ok %s\n", name.c_str()); }
  }
  std::printf("%s: %d passed, %d failed\n", suite, passed, failed);
  return failed == 0 ? 0 : 1;
}
