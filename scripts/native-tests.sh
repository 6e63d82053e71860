#!/usr/bin/env bash
# Builds and runs the C++ kernel tests in test/native/*_test.cpp against native/ (no N-API).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/native-tests
mkdir -p "$out/obj"
flags=(-O2 -std=c++17 -pthread -fno-math-errno -fno-trapping-math -Inative -Itest/native)
objs=()
newest_header=$(ls -t native/*.h | head -n 1)  # kernels.h, simd.h, ...: rebuild all on change
for src in native/*.cpp test/native/check_main.cpp; do
  [ "$(basename "$src")" = binding.cpp ] && continue
  obj="$out/obj/$(basename "${src%.cpp}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
    g++ "${flags[@]}" -c "$src" -o "$obj" &
  fi
  objs+=("$obj")
done
wait
status=0
for t in test/native/*_test.cpp; do
  name=$(basename "${t%.cpp}")
  g++ "${flags[@]}" "$t" "${objs[@]}" -o "$out/$name"
  "$out/$name" || status=1
done
exit $status
