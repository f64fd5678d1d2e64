// The few-groups gather of float data (exact_stream.cpp,
// few_groups_thresholds): the surviving columns' |y| copied by index into
// per-column segments of floats (KernelTable::gather_float, which says what
// it writes). The copy holds the input's floats, not doubles: half the
// writes, and the passes over it read half the bytes; group_stats_f32 scales
// and widens each entry as it reads it, to the double the copy held before,
// so the passes see the same values (docs/exact-float32.md, "The float
// gather's copy in floats").
#pragma once

#include <cstddef>

#include "kernel_table.hpp"

namespace bp {
namespace simd {

// The loops put into a kernel table: the scalar one always, the AVX2 one
// when `avx2` (the table's own CPU check has been made by then) and the
// build has x86 vectors.
void take_gather_float(KernelTable& t, bool avx2);

}  // namespace simd
}  // namespace bp
