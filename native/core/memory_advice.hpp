// A hint to the operating system about freshly allocated result arrays.
#pragma once

#include <cstddef>

namespace bp {

// Arrays at least this large get the hint (smaller ones cover at most one
// 2 MB page and gain nothing).
constexpr std::size_t kHugePageHintBytes = std::size_t(4) << 20;

// Asks the kernel to back the 2 MB-aligned interior of [p, p + bytes) with
// transparent huge pages when it is first touched. Meant for memory that was
// just allocated and not yet written: a fresh 64 MB result otherwise costs
// 16384 page faults, which on virtual machines can take 10x the projection
// itself; with the hint it costs 32. Harmless on memory already in use, a
// no-op below kHugePageHintBytes, off Linux, or where the kernel declines.
void advise_huge_pages(void* p, std::size_t bytes) noexcept;

}  // namespace bp
