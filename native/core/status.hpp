// Vocabulary shared by every kernel: result codes, group layout, matrix views.
// Nothing here (or anywhere in native/core) knows about Node.
#pragma once

#include <cstddef>

namespace bp {

// Kernels report failures as values, never by writing a partial result: every
// check that can fail happens during the read-only passes, before `out` is
// touched.
enum class Status : int {
  kOk = 0,
  kNonFinite = 1,    // an input entry is NaN or +-Infinity
  kOutOfMemory = 2,  // scratch memory could not be allocated
  kAborted = 3,      // the caller's StopToken asked to stop
};

// Lets a caller interrupt an iterative kernel between iterations. The core
// only polls; how the request is stored (an atomic flag a binding shares
// with another thread, say) is the caller's business.
struct StopToken {
  bool (*poll)(const void* ctx) = nullptr;
  const void* ctx = nullptr;
  bool requested() const { return poll != nullptr && poll(ctx); }
};

// Which slices of a row-major matrix form the groups of the mixed norm.
enum class Groups : int {
  kColumns = 0,  // the paper's convention: column j is group j
  kRows = 1,
};

// A read-only row-major (C order) matrix view over caller memory.
template <class T>
struct MatrixRef {
  const T* data;
  std::size_t rows;
  std::size_t cols;

  std::size_t size() const { return rows * cols; }
};

inline std::size_t group_count(std::size_t rows, std::size_t cols, Groups g) {
  return g == Groups::kColumns ? cols : rows;
}

inline std::size_t group_length(std::size_t rows, std::size_t cols, Groups g) {
  return g == Groups::kColumns ? rows : cols;
}

}  // namespace bp
