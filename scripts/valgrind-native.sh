#!/usr/bin/env bash
# Runs the C++ test harness of native/ (native/tests) under valgrind memcheck:
# any invalid read or write, use of uninitialised memory, mismatched free, or
# leak (definite, indirect or possible) makes it exit non-zero. It runs the
# harness of `npm run test:native` (build-native/: no sanitizers, since valgrind
# and ASan do not mix; optimised, with debug info), built here if needed.
#
#   scripts/valgrind-native.sh                  the whole harness
#   scripts/valgrind-native.sh hardening        only the tests whose name contains "hardening"
#   scripts/valgrind-native.sh --fuzz-corpus    also replay the committed fuzz corpus
#                                               (native/fuzz/corpus) through every harness
#                                               (built with the C++ compiler against the core
#                                               library of the harness build, no libFuzzer)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-native"
shared="$(cd "$root/.." && pwd)/shared"

corpus=0
filter=""
for a in "$@"; do
  case "$a" in
    --fuzz-corpus) corpus=1 ;;
    *) filter="$a" ;;
  esac
done

if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind-native: valgrind is not installed (Debian/Ubuntu: apt-get install -y valgrind)" >&2
  exit 2
fi

# One configuration for both: an up-to-date build-native/ is reused as it is.
node "$root/scripts/native-tests.js" --build-only >/dev/null

memcheck=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
  --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible
  --track-origins=yes --num-callers=40 --quiet --suppressions="$root/scripts/valgrind.supp")

start=$(date +%s)
# The harness in shares (BP_TEST_SHARD, native/tests/main.cpp), each its own
# valgrind process, as many at once as there are cores: memcheck runs a
# process on one core, and one process took four minutes of CI. Four shares
# rather than two even out the heavy tests (one takes 38 s under memcheck).
# Each share's output goes to its own file and is shown whole as soon as the
# share ends (one at a time, under a lock), so the shares' lines do not
# interleave and a long run shows its progress. The files stay in
# build-native/valgrind-logs/ when the run fails or is killed.
shares="${BP_VALGRIND_SHARES:-4}"
jobs="$(nproc 2>/dev/null || echo 1)"
echo "valgrind-native: memcheck on the native test harness${filter:+ (tests matching '$filter')}, $shares shares, $jobs at once"
logs="$build/valgrind-logs"
rm -rf "$logs"
mkdir -p "$logs"
for ((k = 0; k < shares; k++)); do
  # `wait -n` (bash >= 4.3): a slot frees when any share ends.
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  (
    rc=0
    BP_TEST_SHARD="$k/$shares" "${memcheck[@]}" "$build/bp_native_tests" "$shared/reference" ${filter:+"$filter"} \
      >"$logs/$k.log" 2>&1 || rc=$?
    echo "$rc" >"$logs/$k.rc"
    flock "$logs/print.lock" cat "$logs/$k.log"
  ) &
done
wait
status=0
for ((k = 0; k < shares; k++)); do
  rc="$(cat "$logs/$k.rc" 2>/dev/null || echo missing)"
  if [ "$rc" != 0 ]; then
    echo "valgrind-native: share $k of $shares failed (exit $rc; its output: $logs/$k.log)" >&2
    status=1
  fi
done
[ "$status" = 0 ] || exit 1
rm -rf "$logs"

if [ "$corpus" = 1 ]; then
  cxx="${CXX:-c++}"
  for src in "$root"/native/fuzz/fuzz_*.cpp; do
    name="$(basename "$src" .cpp)"
    dir="$root/native/fuzz/corpus/$name"
    [ -d "$dir" ] || continue
    bin="$build/replay_$name"
    # Linked against the core library built above (same compiler, with debug
    # info): compiling the whole core again for each harness took most of
    # this step's time.
    "$cxx" -std=c++17 -O1 -g -I"$root/native/core" -I"$root/native/fuzz" "$src" "$root/native/fuzz/replay_main.cpp" \
      "$build/libbp_core.a" -o "$bin" -pthread
    echo "valgrind-native: memcheck on $name over $(ls "$dir" | wc -l) corpus inputs"
    "${memcheck[@]}" "$bin" "$dir"
  done
fi
echo "valgrind-native: clean (no memory error, no leak) in $(( $(date +%s) - start )) s"
