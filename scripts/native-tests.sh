#!/usr/bin/env bash
# Builds and runs the C++ kernel tests in test/native/*_test.cpp against native/ (no N-API).
# The kernel sources and the compiler flags come from binding.gyp, so the tests exercise the
# code the addon is built from, compiled the way the addon is. Any compile or link failure
# fails the run, and an object whose compile failed is never linked (it is deleted first).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/native-tests
mkdir -p "$out/obj"

# binding.gyp is JSON-compatible: take its kernel sources (minus the N-API binding) and C++ flags.
mapfile -t sources < <(node -e '
  const t = JSON.parse(require("fs").readFileSync("binding.gyp", "utf8")).targets[0];
  for (const s of t.sources) if (!s.endsWith("binding.cpp")) console.log(s);')
mapfile -t gyp_flags < <(node -e '
  const t = JSON.parse(require("fs").readFileSync("binding.gyp", "utf8")).targets[0];
  for (const f of [...t.cflags_cc, ...(t.ldflags || [])]) console.log(f);')
flags=("${gyp_flags[@]}" -Inative -Itest/native)

# Rebuild every object when the flags change (a stamp holds the last ones) or a header changes.
stamp="$out/obj/flags"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${flags[*]}" ]; then
  rm -f "$out"/obj/*.o
  echo "${flags[*]}" > "$stamp"
fi
newest_header=$(ls -t native/*.h | head -n 1)

objs=()
pids=()
for src in "${sources[@]}" test/native/check_main.cpp; do
  obj="$out/obj/$(basename "${src%.cpp}").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
    rm -f "$obj"
    g++ "${flags[@]}" -c "$src" -o "$obj" &
    pids+=($!)
  fi
  objs+=("$obj")
done
status=0
for pid in "${pids[@]}"; do
  wait "$pid" || status=1
done
if [ $status -ne 0 ]; then
  echo "native tests: a kernel source failed to compile (see the errors above)" >&2
  exit 1
fi

for t in test/native/*_test.cpp; do
  name=$(basename "${t%.cpp}")
  rm -f "$out/$name"
  if ! g++ "${flags[@]}" "$t" "${objs[@]}" -o "$out/$name"; then
    echo "not ok $name: failed to compile or link" >&2
    status=1
    continue
  fi
  "$out/$name" || status=1
done
exit $status
