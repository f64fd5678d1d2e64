// The one-read path of the bilevel l1,2 projection and the scaling write:
// the dispatched column pass (maxima and sums of squares, in tiles of
// columns) and the scale rows must give, on every table, exactly the bytes of
// their plain definitions, at tile boundaries (a column count that is not a
// multiple of the tile, one row, one column) and for float; group_max_l2 must
// give the bits of group_norms(kLInf) followed by group_l2, rescued columns
// and any thread count included.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "apply.hpp"
#include "harness.hpp"
#include "kernel_tables.hpp"
#include "numeric.hpp"
#include "parallel.hpp"
#include "reduce.hpp"
#include "simd/kernel_table.hpp"
#include "split.hpp"

using namespace bptest;
using bp::simd::KernelTable;

namespace {

template <class T>
bool same_bytes(const T* a, const T* b, std::size_t n) {
  return n == 0 || std::memcmp(a, b, n * sizeof(T)) == 0;
}

template <class T>
std::vector<T> entries(Rng& rng, std::size_t n) {
  std::vector<T> v(n);
  for (T& x : v) {
    switch (rng.below(5)) {
      case 0:
        x = T(0);
        break;
      case 1:
        x = -T(0);
        break;
      default:
        x = static_cast<T>(3.0 * rng.normal());
        break;
    }
  }
  return v;
}

auto scale_fn(const KernelTable& k, double*, int each, int stream) {
  return k.scale_f64[each][stream];
}
auto scale_fn(const KernelTable& k, float*, int each, int stream) {
  return k.scale_f32[each][stream];
}
auto squares_fn(const KernelTable& k, double*) {
  return k.column_max_squares_f64;
}
auto squares_fn(const KernelTable& k, float*) {
  return k.column_max_squares_f32;
}

template <class T>
void check_scale_rows(Rng& rng) {
  for (const KernelTable* k : tables()) {
    for (std::size_t n = 0; n < 70; ++n) {
      for (std::size_t off = 0; off < 8; ++off) {  // every dst alignment
        std::vector<T> src = entries<T>(rng, n + 8), got(n + 8, T(7)), want(n + 8, T(7));
        // Entries near the ends of float's range, for the products that leave
        // the normal floats (the split API takes any radii, so a factor may
        // exceed 1).
        for (T& x : src) {
          if (rng.below(9) == 0) x = static_cast<T>(rng.below(2) ? 3.0e38 : 2.0e-38) * (rng.below(2) ? T(1) : T(-1));
        }
        std::vector<double> s(n + 8);
        // Factors as the l1,2 projection makes them (in [0, 1], zeros
        // included), some that round a float up in magnitude, and a few that
        // send a product below the normal floats or above the largest.
        for (double& x : s) {
          switch (rng.below(8)) {
            case 0:
              x = 0.0;
              break;
            case 1:
              x = 1.0 / 3.0;
              break;
            case 2:
              x = 1e-3;
              break;
            case 3:
              x = 1.7;
              break;
            default:
              x = rng.uniform();
              break;
          }
        }
        for (int stream = 0; stream < 2; ++stream) {
          scale_fn(*k, static_cast<T*>(nullptr), 1, stream)(src.data() + off, s.data() + off, 0.0, got.data() + off, n);
          for (std::size_t i = 0; i < n; ++i) want[off + i] = bp::ScaleMap<T>::apply(src[off + i], s[off + i]);
          CHECK_MSG(same_bytes(got.data(), want.data(), got.size()), k->name << " scale each n=" << n);
          for (double one : {0.7, 1e-3, 1.7}) {
            scale_fn(*k, static_cast<T*>(nullptr), 0, stream)(src.data() + off, nullptr, one, got.data() + off, n);
            for (std::size_t i = 0; i < n; ++i) want[off + i] = bp::ScaleMap<T>::apply(src[off + i], one);
            CHECK_MSG(same_bytes(got.data(), want.data(), got.size()), k->name << " scale one " << one << " n=" << n);
          }
        }
      }
    }
  }
}

// The plain definition: max |y| and the squares added row after row.
template <class T>
void reference_squares(const std::vector<T>& y, std::size_t n, std::size_t m, double* mx, double* sq) {
  for (std::size_t j = 0; j < m; ++j) {
    T best = 0;
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const T a = std::fabs(y[i * m + j]);
      best = std::max(best, a);
      const double d = static_cast<double>(y[i * m + j]);
      s += d * d;
    }
    mx[j] = static_cast<double>(best);
    sq[j] = s;
  }
}

template <class T>
void check_column_squares(Rng& rng) {
  const std::size_t rows[] = {1, 2, 7, 8, 9, 17};
  // Around the tile (4096 columns) and the vector widths.
  const std::size_t cols[] = {1, 3, 5, 64, 4095, 4096, 4097, 8195};
  for (std::size_t n : rows) {
    for (std::size_t m : cols) {
      if (n * m > 40000) continue;
      std::vector<T> y = entries<T>(rng, n * m);
      std::vector<double> mx0(m), sq0(m);
      reference_squares(y, n, m, mx0.data(), sq0.data());
      for (const KernelTable* k : tables()) {
        std::vector<double> mx(m, -1.0), sq(m, -1.0);
        // A sub-range too, as a thread gets it.
        const std::size_t c0 = m > 2 ? 1 : 0;
        CHECK(squares_fn(*k, static_cast<T*>(nullptr))(y.data(), n, m, c0, m, mx.data(), sq.data()));
        CHECK_MSG(same_bytes(mx.data() + c0, mx0.data() + c0, m - c0), k->name << " maxima " << n << "x" << m);
        CHECK_MSG(same_bytes(sq.data() + c0, sq0.data() + c0, m - c0), k->name << " squares " << n << "x" << m);
        CHECK(c0 == 0 || (mx[0] == -1.0 && sq[0] == -1.0));  // nothing outside the range is written
        // A NaN anywhere, first or last column, is seen.
        for (std::size_t at : {std::size_t(0), n * m - 1}) {
          std::vector<T> bad = y;
          bad[at] = std::numeric_limits<T>::quiet_NaN();
          CHECK_MSG(!squares_fn(*k, static_cast<T*>(nullptr))(bad.data(), n, m, 0, m, mx.data(), sq.data()),
                    k->name << " NaN at " << at << " of " << n << "x" << m);
        }
      }
    }
  }
}

// group_max_l2 against the two passes it replaces, bit for bit.
template <class T>
void check_group_max_l2(Rng& rng) {
  const std::size_t shapes[][2] = {{1, 1}, {1, 4097}, {9, 1}, {5, 4099}, {33, 700}, {300, 9}};
  for (auto& s : shapes) {
    const std::size_t n = s[0], m = s[1];
    for (int extreme = 0; extreme < 2; ++extreme) {
      std::vector<T> y = entries<T>(rng, n * m);
      if (extreme) {
        // Columns whose largest entry needs the power-of-two rescue.
        const T big = static_cast<T>(sizeof(T) == 8 ? 1e300 : 1e38),
                tiny = static_cast<T>(sizeof(T) == 8 ? 1e-300 : 1e-40);
        for (std::size_t i = 0; i < n; ++i) {
          for (std::size_t j = 0; j < m; j += 3) y[i * m + j] *= sizeof(T) == 8 ? big : T(1);
          for (std::size_t j = 1; j < m; j += 3) y[i * m + j] *= tiny;
        }
      }
      const bp::MatrixRef<T> Y{y.data(), n, m};
      for (bp::Groups g : {bp::Groups::kColumns, bp::Groups::kRows}) {
        const std::size_t ng = bp::group_count(n, m, g);
        std::vector<double> mx0(ng), l20(ng);
        CHECK(bp::group_norms(Y, g, bp::GroupNormKind::kLInf, mx0.data()) == bp::Status::kOk);
        bp::group_l2(Y, g, mx0.data(), 1.0, l20.data());
        for (unsigned threads : {1u, 3u}) {
          const unsigned before = bp::set_thread_limit(threads);
          std::vector<double> mx(ng), l2(ng);
          CHECK(bp::group_max_l2(Y, g, mx.data(), l2.data()));
          bp::set_thread_limit(before);
          CHECK_MSG(same_bytes(mx.data(), mx0.data(), ng), "maxima " << n << "x" << m << " extreme " << extreme);
          CHECK_MSG(same_bytes(l2.data(), l20.data(), ng), "l2 " << n << "x" << m << " extreme " << extreme);
        }
      }
      std::vector<T> bad = y;
      bad[n * m / 2] = std::numeric_limits<T>::quiet_NaN();
      std::vector<double> mx(m), l2(m);
      CHECK(!bp::group_max_l2(bp::MatrixRef<T>{bad.data(), n, m}, bp::Groups::kColumns, mx.data(), l2.data()));
    }
  }
}

}  // namespace

TEST(scale_rows_match_the_scalar_map_on_every_table) {
  Rng rng(41);
  check_scale_rows<double>(rng);
  check_scale_rows<float>(rng);
}

TEST(column_max_squares_match_the_plain_definition_at_tile_edges) {
  Rng rng(42);
  check_column_squares<double>(rng);
  check_column_squares<float>(rng);
}

TEST(group_max_l2_gives_the_bits_of_the_two_passes) {
  Rng rng(43);
  check_group_max_l2<double>(rng);
  check_group_max_l2<float>(rng);
}
