// The one-read path of the bilevel l1,2 projection and the scaling write:
// the dispatched column pass (maxima and sums of squares, in tiles of
// columns) and the scale rows must give, on every table, exactly the bytes of
// their plain definitions, at tile boundaries (a column count that is not a
// multiple of the tile, one row, one column) and for float; group_max_l2 must
// give the bits of group_norms(kLInf) followed by group_l2, rescued columns
// and any thread count included.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
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
      if (n * m > 80000) continue;  // 9 x 8193 crosses the tile edge with 8 rows and a tail
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

// The float scale narrows by clearing the mantissa bits a float does not
// hold, and sends a vector to the scalar map when a result leaves the normal
// floats: every float bit pattern (subnormals, NaN, infinities, both signs)
// times factors that put products on both sides of the smallest normal float
// and past the largest, and factors whose product rounds up in double to a
// float (the case where narrowing the exact product would differ).
TEST(float_scale_rows_give_the_scalar_bits_for_any_float) {
  Rng rng(43);
  constexpr std::size_t n = 96;
  std::vector<float> src(n), got(n), want(n);
  std::vector<double> s(n);
  for (const KernelTable* k : tables()) {
    for (int round = 0; round < 60; ++round) {
      for (std::size_t i = 0; i < n; ++i) {
        const auto bits = static_cast<std::uint32_t>(rng.next());
        std::memcpy(&src[i], &bits, sizeof bits);
        switch (rng.below(5)) {
          case 0:  // around the smallest normal float, from a normal entry
            s[i] = std::ldexp(1.0 + rng.uniform(), -126 - std::ilogb(src[i]) - static_cast<int>(rng.below(3)));
            break;
          case 1:  // just under a float: the double product rounds up to it
            s[i] = 1.0 - std::ldexp(1.0, -53) * static_cast<double>(1 + rng.below(3));
            break;
          case 2:
            s[i] = std::ldexp(rng.uniform(), static_cast<int>(rng.below(80)) - 40);
            break;
          default:
            s[i] = rng.uniform();
            break;
        }
        if (!std::isfinite(s[i])) s[i] = 0.5;
      }
      for (int stream = 0; stream < 2; ++stream) {
        const bool finite = k->scale_f32[1][stream](src.data(), s.data(), 0.0, got.data(), n);
        bool all_finite = true;
        for (std::size_t i = 0; i < n; ++i) {
          want[i] = bp::ScaleMap<float>::apply(src[i], s[i]);
          all_finite &= std::isfinite(src[i]);
        }
        CHECK_MSG(same_bytes(got.data(), want.data(), n), k->name << " float scale, round " << round);
        CHECK(finite == all_finite);
      }
    }
  }
}

// The row-block writes (clip, and the scale) give every row the bytes
// of the one-row loops, whether the rows share an alignment (a stride that is
// a multiple of the vector's bytes) or not, at every dst alignment, and
// report a non-finite entry in any of the rows.
template <class T>
void check_write_rows(const KernelTable& k, Rng& rng) {
  constexpr std::size_t R = bp::simd::kWriteRows;
  for (std::size_t n = 0; n < 70; n += 3) {
    for (std::size_t extra : {0, 1, 3, 16}) {
      const std::size_t stride = n + extra;
      for (std::size_t off = 0; off < 8; off += 3) {
        std::vector<T> src = entries<T>(rng, R * stride + 8), c(stride + 8);
        std::vector<double> s(stride + 8);
        for (std::size_t j = 0; j < c.size(); ++j) {
          c[j] = rng.below(4) == 0 ? T(0) : static_cast<T>(std::fabs(rng.normal()));
          s[j] = rng.below(4) == 0 ? 0.0 : rng.uniform();
        }
        const bool poison = n > 0 && rng.below(3) == 0;
        if (poison) src[off + rng.below(R) * stride + rng.below(n)] = std::numeric_limits<T>::infinity();
        std::vector<T> got(src.size(), T(7)), want(src.size(), T(7));
        bool ok;
        if constexpr (sizeof(T) == 8) {
          ok = k.clamp_rows_f64(src.data() + off, stride, c.data(), got.data() + off, n, R);
        } else {
          ok = k.clamp_rows_f32(src.data() + off, stride, c.data(), got.data() + off, n, R);
        }
        for (std::size_t r = 0; r < R; ++r) {
          for (std::size_t j = 0; j < n; ++j) {
            const std::size_t at = off + r * stride + j;
            want[at] = bp::ClipMap<T>::apply(src[at], c[j]);
          }
        }
        CHECK_MSG(same_bytes(got.data(), want.data(), got.size()), k.name << " clamp rows n=" << n);
        CHECK(ok == !poison);
        // Fewer rows (apply.hpp, write_block_rows): rows [0, cr) written and
        // checked, the others untouched; the clip here, the double scale below.
        auto check_few = [&](const char* what, auto write, auto map) {
          const std::size_t cr = 1 + rng.below(R);
          std::vector<T> few(src.size(), T(7)), want_few(src.size(), T(7));
          bool finite_few = true;
          for (std::size_t r = 0; r < cr; ++r) {
            for (std::size_t j = 0; j < n; ++j) {
              const std::size_t at = off + r * stride + j;
              want_few[at] = map(src[at], j);
              finite_few &= std::isfinite(src[at]);
            }
          }
          const bool ok_few = write(few.data() + off, cr);
          CHECK_MSG(same_bytes(few.data(), want_few.data(), few.size()),
                    k.name << " " << what << " " << cr << " rows n=" << n);
          CHECK(ok_few == finite_few);
        };
        check_few(
            "clamp",
            [&](T* dst, std::size_t cr) {
              if constexpr (sizeof(T) == 8) {
                return k.clamp_rows_f64(src.data() + off, stride, c.data(), dst, n, cr);
              } else {
                return k.clamp_rows_f32(src.data() + off, stride, c.data(), dst, n, cr);
              }
            },
            [&](T x, std::size_t j) { return bp::ClipMap<T>::apply(x, c[j]); });
        // The float row-block scale exists only where AVX-512F does.
        bool has_scale = true;
        if constexpr (sizeof(T) == 4) has_scale = k.scale_rows_f32 != nullptr;
        if (has_scale) {
          std::fill(got.begin(), got.end(), T(7));
          if constexpr (sizeof(T) == 8) {
            ok = k.scale_rows_f64(src.data() + off, stride, s.data(), got.data() + off, n, R);
          } else {
            ok = k.scale_rows_f32(src.data() + off, stride, s.data(), got.data() + off, n, R);
          }
          for (std::size_t r = 0; r < R; ++r) {
            for (std::size_t j = 0; j < n; ++j) {
              const std::size_t at = off + r * stride + j;
              want[at] = bp::ScaleMap<T>::apply(src[at], s[j]);
            }
          }
          CHECK_MSG(same_bytes(got.data(), want.data(), got.size()), k.name << " scale rows n=" << n);
          CHECK(ok == !poison);
        }
        // The scale with fewer rows, as the clip above (the float one where
        // the table has it).
        if constexpr (sizeof(T) == 8) {
          check_few(
              "scale",
              [&](T* dst, std::size_t cr) { return k.scale_rows_f64(src.data() + off, stride, s.data(), dst, n, cr); },
              [&](T x, std::size_t j) { return bp::ScaleMap<T>::apply(x, s[j]); });
        } else if (has_scale) {
          check_few(
              "scale",
              [&](T* dst, std::size_t cr) { return k.scale_rows_f32(src.data() + off, stride, s.data(), dst, n, cr); },
              [&](T x, std::size_t j) { return bp::ScaleMap<T>::apply(x, s[j]); });
        }
      }
    }
  }
}

// The clip's block rows: eight where the rows' starts spread over the 4 KB
// page (the grid shapes), fewer where they share places (docs/bilevel-write.md).
TEST(write_block_rows_by_place_in_the_page) {
  CHECK(bp::write_block_rows(64000) == bp::simd::kWriteRows);   // 1000 x 8000 double
  CHECK(bp::write_block_rows(32000) == bp::simd::kWriteRows);   // 4000 x 4000 double
  CHECK(bp::write_block_rows(320000) == bp::simd::kWriteRows);  // 100 x 80000 float
  CHECK(bp::write_block_rows(640064) == bp::simd::kWriteRows);  // a place 1088 bytes on
  CHECK(bp::write_block_rows(640000) == 6);                     // 100 x 80000 double: every 1 KB
  CHECK(bp::write_block_rows(32768) == 2);                      // a multiple of the page
  for (std::size_t b = 0; b < 20000; b += 8) {
    const std::size_t r = bp::write_block_rows(b);
    CHECK(r >= 1 && r <= bp::simd::kWriteRows);
  }
}

TEST(row_block_writes_give_each_row_the_one_row_bytes) {
  Rng rng(44);
  for (const KernelTable* k : tables()) {
    check_write_rows<double>(*k, rng);
    check_write_rows<float>(*k, rng);
  }
}

// max_of (four chains, no branches) against the plain running maximum that
// lets a NaN through: the same value, or NaN for NaN, at every length and
// with a NaN or an infinity at every position.
TEST(max_of_is_the_running_maximum_with_nan_sticky) {
  Rng rng(45);
  auto plain = [](const std::vector<double>& v) {
    double r = 0.0;
    for (double a : v) r = bp::nan_max(r, a);
    return r;
  };
  auto same = [](double a, double b) { return (a != a && b != b) || a == b; };
  for (std::size_t n = 0; n < 14; ++n) {
    std::vector<double> v(n);
    for (double& x : v) x = rng.below(5) == 0 ? 0.0 : std::fabs(rng.normal());
    CHECK(same(bp::max_of(v.data(), n), plain(v)));
    for (std::size_t at = 0; at < n; ++at) {
      for (double odd : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
        std::vector<double> w = v;
        w[at] = odd;
        CHECK(same(bp::max_of(w.data(), n), plain(w)));
        if (n > 1) {
          w[(at + 1) % n] = std::numeric_limits<double>::infinity();  // NaN and infinity together: NaN
          CHECK(same(bp::max_of(w.data(), n), plain(w)));
        }
      }
    }
  }
}

// The float soft threshold (the bilevel l1,1 write; AVX-512F's loops where
// the CPU has them, shrink_avx512.cpp): every float bit pattern (subnormals,
// NaN, infinities, both signs) against thresholds that put the difference on
// both sides of the smallest normal float, just under a float, at or above
// |y| (a zero result), infinite, or zero, must keep ShrinkMap::apply's bits,
// one row and (where the table has them) kWriteRows rows at once, which also
// report a non-finite entry.
namespace {
std::vector<double> shrink_thresholds(Rng& rng, const std::vector<float>& src, std::size_t n) {
  std::vector<double> t(n);
  for (std::size_t j = 0; j < n; ++j) {
    const double a = std::fabs(static_cast<double>(src[j]));
    switch (rng.below(7)) {
      case 0:  // leaves a result around the smallest normal float
        t[j] = std::isfinite(a)
                   ? std::max(0.0, a - std::ldexp(1.0 + rng.uniform(), -126 - static_cast<int>(rng.below(30))))
                   : 1.0;
        break;
      case 1:  // a difference just off a float: rounds toward zero
        t[j] = std::isfinite(a) ? a * (1.0 - std::ldexp(1.0, -30)) : 0.0;
        break;
      case 2:  // exactly |y| or above: +0
        t[j] = std::isfinite(a) ? a * (rng.below(2) == 0 ? 1.0 : 1.5) : 2.0;
        break;
      case 3:
        t[j] = rng.below(2) == 0 ? std::numeric_limits<double>::infinity() : 0.0;
        break;
      default:
        t[j] = std::ldexp(rng.uniform(), static_cast<int>(rng.below(80)) - 40);
        break;
    }
  }
  return t;
}
}  // namespace

TEST(float_shrink_gives_the_scalar_bits_for_any_float) {
  Rng rng(46);
  constexpr std::size_t R = bp::simd::kWriteRows;
  for (const KernelTable* k : tables()) {
    for (int round = 0; round < 40; ++round) {
      const std::size_t n = 1 + rng.below(80), stride = n + (rng.below(2) == 0 ? 0 : rng.below(20));
      std::vector<float> src(R * stride + 16);
      for (float& x : src) {
        const auto bits = static_cast<std::uint32_t>(rng.next());
        std::memcpy(&x, &bits, sizeof bits);
        if (rng.below(3) == 0) x = static_cast<float>(3.0 * rng.normal());
      }
      const std::size_t off = rng.below(16);
      const std::vector<double> t = shrink_thresholds(rng, std::vector<float>(src.begin() + off, src.end()), stride);
      std::vector<float> got(src.size(), 7.0f), want(src.size(), 7.0f);
      for (int stream = 0; stream < 2; ++stream) {
        k->shrink_f32[1][stream](src.data() + off, t.data(), 0.0, got.data() + off, n);
        for (std::size_t j = 0; j < n; ++j) want[off + j] = bp::ShrinkMap<float>::apply(src[off + j], t[j]);
        CHECK_MSG(same_bytes(got.data(), want.data(), got.size()), k->name << " float shrink, round " << round);
        k->shrink_f32[0][stream](src.data() + off, nullptr, t[0], got.data() + off, n);
        for (std::size_t j = 0; j < n; ++j) want[off + j] = bp::ShrinkMap<float>::apply(src[off + j], t[0]);
        CHECK_MSG(same_bytes(got.data(), want.data(), got.size()), k->name << " float shrink one t, round " << round);
      }
      if (k->shrink_rows_f32 == nullptr) continue;
      std::fill(got.begin(), got.end(), 7.0f);
      std::fill(want.begin(), want.end(), 7.0f);
      bool finite = true;
      for (std::size_t r = 0; r < R; ++r) {
        for (std::size_t j = 0; j < n; ++j) {
          const std::size_t at = off + r * stride + j;
          want[at] = bp::ShrinkMap<float>::apply(src[at], t[j]);
          finite &= std::isfinite(src[at]);
        }
      }
      const bool ok = k->shrink_rows_f32(src.data() + off, stride, t.data(), got.data() + off, n, R);
      CHECK_MSG(same_bytes(got.data(), want.data(), got.size()), k->name << " float shrink rows, round " << round);
      CHECK(ok == finite);
    }
  }
}

// The float shrink rows on ordinary entries: every dst alignment, strides
// that share the vector alignment and strides that do not, and one infinite
// entry in some rows, which must be reported.
TEST(float_shrink_rows_give_each_row_the_one_row_bytes) {
  Rng rng(47);
  constexpr std::size_t R = bp::simd::kWriteRows;
  bool ran = false;
  for (const KernelTable* k : tables()) {
    if (k->shrink_rows_f32 == nullptr) continue;
    ran = true;
    for (std::size_t n = 0; n < 70; n += 3) {
      for (std::size_t extra : {0, 1, 16}) {
        const std::size_t stride = n + extra;
        for (std::size_t off = 0; off < 16; off += 5) {
          std::vector<float> src = entries<float>(rng, R * stride + 16);
          std::vector<double> t(stride);
          for (double& x : t) x = rng.below(4) == 0 ? 0.0 : std::fabs(rng.normal());
          const bool poison = n > 0 && rng.below(3) == 0;
          if (poison) src[off + rng.below(R) * stride + rng.below(n)] = -std::numeric_limits<float>::infinity();
          // Eight rows, and fewer (apply.hpp, write_block_rows): rows
          // [0, rows) written and checked, the others untouched.
          for (std::size_t rows : {R, 1 + rng.below(R)}) {
            std::vector<float> got(src.size(), 7.0f), want(src.size(), 7.0f);
            const bool ok = k->shrink_rows_f32(src.data() + off, stride, t.data(), got.data() + off, n, rows);
            bool finite = true;
            for (std::size_t r = 0; r < rows; ++r)
              for (std::size_t j = 0; j < n; ++j) {
                want[off + r * stride + j] = bp::ShrinkMap<float>::apply(src[off + r * stride + j], t[j]);
                finite &= std::isfinite(src[off + r * stride + j]);
              }
            CHECK_MSG(same_bytes(got.data(), want.data(), got.size()),
                      k->name << " float shrink rows n=" << n << " rows " << rows);
            CHECK(ok == finite);
          }
        }
      }
    }
  }
  if (!ran) std::printf("  (skipped here: no kernel table has %s)\n", "the float shrink rows (AVX-512F)");
}

// The float column pass on every float bit pattern but NaN (subnormals,
// infinities, the largest floats, both signs), on every table: the AVX-512F
// pass takes the maxima as the root of the largest square, which must give
// max |y| bit for bit, and its sums must be the row-order sums. A NaN in any
// one column must be reported, whatever else that column holds.
TEST(float_column_squares_give_the_plain_bits_for_any_float) {
  Rng rng(48);
  const std::size_t rows[] = {1, 7, 8, 9, 23};
  const std::size_t cols[] = {1, 15, 16, 17, 33, 4097, 8193};
  const float inf = std::numeric_limits<float>::infinity();
  for (std::size_t n : rows) {
    for (std::size_t m : cols) {
      if (n * m > 80000) continue;  // 9 x 8193 crosses the tile edge with 8 rows and a tail
      std::vector<float> y(n * m);
      for (float& x : y) {
        do {
          const auto bits = static_cast<std::uint32_t>(rng.next());
          std::memcpy(&x, &bits, sizeof bits);
        } while (x != x);
        // Small ones too, where a square would leave the double range if it
        // were taken in float.
        if (rng.below(4) == 0) x = std::ldexp(x, -100);
      }
      if (m > 3) {
        y[(n - 1) * m + 2] = -inf;  // an infinity in the last row of a column
        y[3] = inf;
      }
      std::vector<double> mx0(m), sq0(m);
      reference_squares(y, n, m, mx0.data(), sq0.data());
      for (const KernelTable* k : tables()) {
        std::vector<double> mx(m, -1.0), sq(m, -1.0);
        CHECK(k->column_max_squares_f32(y.data(), n, m, 0, m, mx.data(), sq.data()));
        CHECK_MSG(same_bytes(mx.data(), mx0.data(), m), k->name << " maxima " << n << "x" << m);
        CHECK_MSG(same_bytes(sq.data(), sq0.data(), m), k->name << " squares " << n << "x" << m);
        // A sub-range of the columns, starting off the tile grid.
        const std::size_t c0 = m / 3, c1 = m - m / 5;
        std::vector<double> mxr(m, -1.0), sqr(m, -1.0);
        CHECK(k->column_max_squares_f32(y.data(), n, m, c0, c1, mxr.data(), sqr.data()));
        CHECK_MSG(same_bytes(mxr.data() + c0, mx0.data() + c0, c1 - c0) &&
                      same_bytes(sqr.data() + c0, sq0.data() + c0, c1 - c0),
                  k->name << " columns " << c0 << ".." << c1 << " of " << n << "x" << m);
        std::vector<float> bad = y;
        bad[rng.below(n) * m + rng.below(m)] = std::numeric_limits<float>::quiet_NaN();
        CHECK_MSG(!k->column_max_squares_f32(bad.data(), n, m, 0, m, mx.data(), sq.data()),
                  k->name << " NaN in " << n << "x" << m);
      }
    }
  }
}

// The zero-group tests of the scale and the soft threshold (is_zero, which
// skips the narrowing) against the map itself, apply(mx, p) == 0, in both
// types: maxima of any float or double bit pattern (NaN, infinities,
// subnormals) and parameters that put the product or the difference just
// around the smallest subnormal float and double, at zero, and beyond.
template <class T, class Map>
void check_is_zero(Rng& rng, const char* what) {
  const double edges[] = {0x1p-149, 0x1p-150, 0x1.8p-150, 0x1p-1074, 0x1.8p-1074, 0.0, 1.0, 0x1p-126};
  std::size_t zero = 0, live = 0;
  for (int trial = 0; trial < 40000; ++trial) {
    double mx;
    if constexpr (std::is_same_v<T, float>) {
      const auto bits = static_cast<std::uint32_t>(rng.next());
      float f;
      std::memcpy(&f, &bits, sizeof f);
      mx = static_cast<double>(f);
    } else {
      const std::uint64_t bits = rng.next();
      std::memcpy(&mx, &bits, sizeof mx);
    }
    if (trial % 5 == 0) mx = std::fabs(mx);
    const double edge = edges[rng.below(8)] * (1.0 + (rng.uniform() - 0.5) * 1e-6 * static_cast<double>(rng.below(2)));
    double p;
    const double a = std::fabs(static_cast<double>(static_cast<T>(mx)));
    switch (rng.below(4)) {
      case 0:
        p = a > 0.0 ? edge / a : edge;
        break;  // scale: product near the edge
      case 1:
        p = a - edge;
        break;  // shrink: difference near the edge
      case 2:
        p = rng.uniform() * 2.0;
        break;
      default:
        p = static_cast<double>(rng.below(3)) - 1.0;
        break;
    }
    if (rng.below(50) == 0) p = std::numeric_limits<double>::infinity();
    // The double scale's zero test follows the write of groups whose
    // results reach the subnormals: rounded toward zero there (split.cpp,
    // write_radii), to nearest elsewhere, where no product is near zero. So
    // its largest result is zero exactly when |mx p| < 2^-1074, decided here
    // 2^600 higher, where the product is normal and its residual exact.
    bool want = Map::apply(static_cast<T>(mx), p) == T(0);
    if constexpr (std::is_same_v<Map, bp::ScaleMap<double>>) {
      const double up = std::fabs(p) * 0x1p600, hi = std::fabs(mx) * up, lo = std::fma(std::fabs(mx), up, -hi);
      want = hi < 0x1p-474 || (hi == 0x1p-474 && lo < 0.0);
    }
    CHECK_MSG(Map::is_zero(mx, p) == want, what << " mx " << mx << " p " << p);
    ++(want ? zero : live);
  }
  CHECK_MSG(zero > 2000 && live > 2000, what << " zero " << zero << " live " << live);
}

TEST(scale_and_shrink_zero_tests_agree_with_the_maps) {
  Rng rng(4811);
  check_is_zero<float, bp::ScaleMap<float>>(rng, "scale float");
  check_is_zero<double, bp::ScaleMap<double>>(rng, "scale double");
  check_is_zero<float, bp::ShrinkMap<float>>(rng, "shrink float");
  check_is_zero<double, bp::ShrinkMap<double>>(rng, "shrink double");
}

// The float scale and the float shrink row kernels (AVX-512F only) take a
// row count: asked for 3 rows of 77 floats (not a multiple of the vector)
// at a stride of 80, they write those rows with the one-row
// bytes of each and no row past them.
TEST(float_row_writes_of_fewer_rows_match_the_one_row_writes) {
  if (!bp::ScaleMap<float>::has_stream_rows() || !bp::ShrinkMap<float>::has_stream_rows()) {
    std::printf("  (skipped here: no kernel table has %s)\n", "the float scale and shrink rows (AVX-512F)");
    return;
  }
  Rng rng(45);
  const std::size_t n = 77, stride = 80, rows = 3;
  std::vector<float> src(bp::simd::kWriteRows * stride);
  for (float& x : src) x = static_cast<float>(rng.normal());
  std::vector<double> p(n);
  for (double& v : p) v = 0.25 + rng.uniform();
  std::vector<float> got(src.size(), -7.0f), want(src.size(), -7.0f);
  (void)bp::ScaleMap<float>::stream_rows(src.data(), stride, p.data(), got.data(), n, rows);
  for (std::size_t r = 0; r < rows; ++r)
    (void)bp::ScaleMap<float>::stream_each(src.data() + r * stride, p.data(), want.data() + r * stride, n);
  CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
  std::fill(got.begin(), got.end(), -7.0f);
  std::fill(want.begin(), want.end(), -7.0f);
  bp::ShrinkMap<float>::stream_rows(src.data(), stride, p.data(), got.data(), n, rows);
  for (std::size_t r = 0; r < rows; ++r)
    bp::ShrinkMap<float>::stream_each(src.data() + r * stride, p.data(), want.data() + r * stride, n);
  CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
  CHECK(got[rows * stride] == -7.0f);  // the row after the block untouched
}
