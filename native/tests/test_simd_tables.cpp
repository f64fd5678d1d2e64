// Every dispatch table this build holds (simd/kernel_table.hpp: the scalar
// lanes, the baseline, AVX2 and AVX-512F where the CPU has them; a CPU
// without one skips its table, and says so) must write exactly the bytes
// of the scalar definitions, for every length and alignment (the aligning
// prologue, the vector body and the tail), signed zeros included: the choice
// of table may change the speed, never the result.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "harness.hpp"
#include "kernel_tables.hpp"
#include "masked_sum_lanes.hpp"
#include "numeric.hpp"
#include "simd/kernel_table.hpp"

using namespace bptest;
using bp::simd::KernelTable;

namespace {

template <class T>
std::vector<T> values(Rng& rng, std::size_t n) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng.below(6)) {
      case 0:
        v[i] = T(0);
        break;
      case 1:
        v[i] = -T(0);
        break;
      case 2:
        v[i] = static_cast<T>(0.5);
        break;  // ties with the radii below
      default:
        v[i] = static_cast<T>(4.0 * rng.normal());
        break;
    }
  }
  return v;
}

template <class T>
T clamp_ref(T v, T c) {
  return v < -c ? -c : (v > c ? c : v);
}
template <class T>
T shrink_ref(T y, double t) {
  const double a = static_cast<double>(y);
  return bp::narrow_toward_zero<T>(a > t ? a - t : (a < -t ? a + t : 0.0));
}

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

template <class T>
struct Pick;
template <>
struct Pick<double> {
  static auto clamp_each(const KernelTable& k) { return k.clamp_each_f64; }
  static auto clamp_one(const KernelTable& k) { return k.clamp_one_f64; }
  static auto shrink(const KernelTable& k, int each, int stream) { return k.shrink_f64[each][stream]; }
  static auto zero(const KernelTable& k) { return k.zero_f64; }
  static auto adam(const KernelTable& k) { return k.adam_f64; }
  static auto column(const KernelTable& k, bool sum) { return sum ? k.column_max_sum_f64 : k.column_max_f64; }
  static auto column_stats(const KernelTable& k) { return k.column_stats_f64; }
  static auto group_stats(const KernelTable& k) { return k.group_stats_f64; }
  static auto fill(const KernelTable& k) { return k.fill_candidates_f64; }
  static auto column_stats_gap(const KernelTable& k) { return k.column_stats_gap_f64; }
  static auto column_stats_below(const KernelTable& k) { return k.column_stats_below_f64; }
};
template <>
struct Pick<float> {
  static auto clamp_each(const KernelTable& k) { return k.clamp_each_f32; }
  static auto clamp_one(const KernelTable& k) { return k.clamp_one_f32; }
  static auto shrink(const KernelTable& k, int each, int stream) { return k.shrink_f32[each][stream]; }
  static auto zero(const KernelTable& k) { return k.zero_f32; }
  static auto adam(const KernelTable& k) { return k.adam_f32; }
  static auto column(const KernelTable& k, bool sum) { return sum ? k.column_max_sum_f32 : k.column_max_f32; }
  static auto column_stats(const KernelTable& k) { return k.column_stats_f32; }
  static auto group_stats(const KernelTable& k) { return k.group_stats_f32; }
  static auto fill(const KernelTable& k) { return k.fill_candidates_f32; }
  static auto column_stats_gap(const KernelTable& k) { return k.column_stats_gap_f32; }
  static auto column_stats_below(const KernelTable& k) { return k.column_stats_below_f32; }
};

template <class T>
void check_writes(const KernelTable& k, Rng& rng) {
  using P = Pick<T>;
  for (std::size_t n = 0; n < 70; ++n) {
    for (std::size_t off = 0; off < 8; ++off) {  // dst alignment: every residue mod 32 bytes
      std::vector<T> src = values<T>(rng, n + 8), c(n + 8), got(n + 8, T(7)), want(n + 8, T(7));
      std::vector<double> t(n + 8);
      for (T& x : c) x = rng.below(4) == 0 ? T(0.5) : static_cast<T>(std::fabs(rng.normal()));
      for (double& x : t) x = rng.below(4) == 0 ? 0.5 : std::fabs(rng.normal());
      const T one = static_cast<T>(0.5);
      P::clamp_each(k)(src.data() + off, c.data() + off, T(0), got.data() + off, n);
      for (std::size_t i = 0; i < n; ++i) want[off + i] = clamp_ref(src[off + i], c[off + i]);
      CHECK_MSG(same_bytes(got, want), k.name << " clamp each n=" << n);
      P::clamp_one(k)(src.data() + off, nullptr, one, got.data() + off, n);
      for (std::size_t i = 0; i < n; ++i) want[off + i] = clamp_ref(src[off + i], one);
      CHECK_MSG(same_bytes(got, want), k.name << " clamp one n=" << n);
      for (int stream = 0; stream < 2; ++stream) {
        P::shrink(k, 1, stream)(src.data() + off, t.data() + off, 0.0, got.data() + off, n);
        for (std::size_t i = 0; i < n; ++i) want[off + i] = shrink_ref(src[off + i], t[off + i]);
        CHECK_MSG(same_bytes(got, want), k.name << " shrink each n=" << n);
        P::shrink(k, 0, stream)(src.data() + off, nullptr, 0.3, got.data() + off, n);
        for (std::size_t i = 0; i < n; ++i) want[off + i] = shrink_ref(src[off + i], 0.3);
        CHECK_MSG(same_bytes(got, want), k.name << " shrink one n=" << n);
      }
      P::zero(k)(got.data() + off, n);
      for (std::size_t i = 0; i < n; ++i) want[off + i] = T(0);
      CHECK_MSG(same_bytes(got, want), k.name << " zero n=" << n);
    }
  }
}

template <class T>
void check_adam(const KernelTable& k, Rng& rng) {
  const bp::simd::AdamCoefficients<T> c{T(0.9), T(0.999), T(0.1), T(0.001), T(1e-3), T(1.25), T(1e-8)};
  for (std::size_t n = 0; n < 40; ++n) {
    std::vector<T> p = values<T>(rng, n), g = values<T>(rng, n), m = values<T>(rng, n), v(n);
    for (T& x : v) x = static_cast<T>(std::fabs(rng.normal()));
    std::vector<T> p2 = p, m2 = m, v2 = v;
    Pick<T>::adam(k)(c, p.data(), g.data(), m.data(), v.data(), n);
    for (std::size_t i = 0; i < n; ++i) {  // the scalar definition
      const T mi = c.b1 * m2[i] + c.c1 * g[i];
      const T vi = c.b2 * v2[i] + c.c2 * (g[i] * g[i]);
      m2[i] = mi;
      v2[i] = vi;
      p2[i] = p2[i] - c.step * mi / (std::sqrt(vi) * c.inv_sqrt_bc2 + c.eps);
    }
    CHECK_MSG(same_bytes(p, p2) && same_bytes(m, m2) && same_bytes(v, v2), k.name << " adam n=" << n);
  }
}

template <class T>
void check_columns(const KernelTable& k, Rng& rng) {
  for (std::size_t rows : {0, 1, 7, 8, 9, 17}) {
    const std::size_t cols = 13, c0 = 2, c1 = 11;
    std::vector<T> y = values<T>(rng, rows * cols);
    for (bool with_sum : {false, true}) {
      std::vector<double> mx(cols, -1.0), sum(cols, -1.0), mx_ref(cols, -1.0), sum_ref(cols, -1.0);
      const bool ok = Pick<T>::column(k, with_sum)(y.data(), rows, cols, c0, c1, 0.5, mx.data(), sum.data());
      const bool ok_ref = Pick<T>::column(bp::simd::scalar_kernels(), with_sum)(y.data(), rows, cols, c0, c1, 0.5,
                                                                                mx_ref.data(), sum_ref.data());
      CHECK(ok && ok_ref);
      CHECK_MSG(same_bytes(mx, mx_ref) && same_bytes(sum, sum_ref), k.name << " columns rows=" << rows);
      for (std::size_t j = c0; j < c1; ++j) {  // the scalar tables against the definition
        double m = 0;
        for (std::size_t i = 0; i < rows; ++i) m = std::max(m, std::fabs(static_cast<double>(y[i * cols + j])));
        CHECK(mx_ref[j] == m);
      }
    }
    if (rows > 0) {  // a NaN anywhere in the range is reported
      y[(rows - 1) * cols + c0 + 3] = std::numeric_limits<T>::quiet_NaN();
      std::vector<double> mx(cols), sum(cols);
      CHECK_MSG(!Pick<T>::column(k, true)(y.data(), rows, cols, c0, c1, 1.0, mx.data(), sum.data()), k.name);
    }
  }
}

// The maxima-and-sums pass that also counts the entries that are not zero:
// the same maxima and sums as the pass without the count (same bits), and
// the count by definition, with zeros of both signs in the data. The last
// shape spans two of the float loop's column tiles (4096 columns).
template <class T>
void check_column_counts(const KernelTable& k, Rng& rng) {
  const std::pair<std::size_t, std::size_t> shapes[] = {{0, 13}, {1, 13},  {7, 13},  {8, 13},
                                                        {9, 13}, {17, 13}, {40, 13}, {9, 4109}};
  for (const auto& [rows, cols] : shapes) {
    const std::size_t c0 = 2, c1 = cols - 2;
    std::vector<T> y = values<T>(rng, rows * cols);
    for (T& x : y) {
      const auto r = rng.below(4);
      if (r == 0) x = T(0);
      if (r == 1) x = -T(0);
    }
    std::vector<double> mx(cols, -1.0), sum(cols, -1.0), nz(cols, -1.0), mx_ref(cols, -1.0), sum_ref(cols, -1.0);
    bool ok;
    if constexpr (std::is_same_v<T, double>) {
      ok = k.column_max_sum_count_f64(y.data(), rows, cols, c0, c1, 0.5, mx.data(), sum.data(), nz.data());
    } else {
      ok = k.column_max_sum_count_f32(y.data(), rows, cols, c0, c1, 0.5, mx.data(), sum.data(), nz.data());
    }
    const bool ok_ref = Pick<T>::column(k, true)(y.data(), rows, cols, c0, c1, 0.5, mx_ref.data(), sum_ref.data());
    CHECK(ok && ok_ref);
    CHECK_MSG(same_bytes(mx, mx_ref) && same_bytes(sum, sum_ref), k.name << " counted columns rows=" << rows);
    for (std::size_t j = 0; j < cols; ++j) {
      double want = -1.0;
      if (j >= c0 && j < c1) {
        want = 0.0;
        for (std::size_t i = 0; i < rows; ++i) want += y[i * cols + j] != T(0) ? 1.0 : 0.0;
      }
      CHECK_MSG(nz[j] == want, k.name << " nonzeros of column " << j << " rows=" << rows << ": " << nz[j]);
    }
  }
}

// The streaming exact passes' definitions, in the order the tables promise.
void comp_add_ref(double& sum, double& comp, double x) {
  const double t = sum + x;
  comp += ((sum >= x ? sum : x) - t) + (sum >= x ? x : sum);
  sum = t;
}
double fold8_ref(const double* l) {
  return ((l[0] + l[4]) + (l[1] + l[5])) + ((l[2] + l[6]) + (l[3] + l[7]));
}

// Thresholds with ties (0.5 * scale is an entry's value), dead columns
// (+inf) and zeros; at scale 1 also the doubles next to that tie, between
// two floats (the float loops round thresholds up to floats), one below the
// least float above zero and one above the largest float.
std::vector<double> thresholds(Rng& rng, std::size_t n, double scale = 0.5) {
  std::vector<double> t(n);
  for (double& x : t) {
    if (scale == 1.0 && rng.below(2) == 0) {
      const double odd[] = {std::nextafter(0.5, 0.0), std::nextafter(0.5, 1.0), 1e-50, 3.5e38, -1.0};
      x = odd[rng.below(5)];
      continue;
    }
    switch (rng.below(5)) {
      case 0:
        x = 0.5 * scale;
        break;
      case 1:
        x = std::numeric_limits<double>::infinity();
        break;
      case 2:
        x = 0.0;
        break;
      default:
        x = std::fabs(rng.normal());
        break;
    }
  }
  return t;
}

// At scale 0.5 the float passes widen every entry (the double-lane loops);
// at scale 1 they compare in float lanes: both against the definitions.
template <class T>
void check_stream_passes(const KernelTable& k, Rng& rng, double scale = 0.5) {
  const KernelTable& ref = bp::simd::scalar_kernels();
  for (std::size_t rows : {0, 1, 7, 8, 9, 17, 24}) {
    for (std::size_t c0 : {0, 1, 3})
      for (std::size_t wide : {0, 3, 8}) {
        // Ranges of 14-18 columns (whole vectors and a tail), of 3 (a lone
        // masked vector in the AVX-512F loops) and of 8 (no tail).
        const std::size_t cols = 19, c1 = wide == 0 ? cols - (c0 == 1 ? 0 : 2) : c0 + wide;
        const std::vector<T> y = values<T>(rng, rows * cols);
        // With c0 = 3 no candidate bound is set (lo = +inf everywhere), as
        // before the first bounds: the float loops then skip the count.
        const std::vector<double> mu = thresholds(rng, cols, scale),
                                  lo = c0 == 3 ? std::vector<double>(cols, std::numeric_limits<double>::infinity())
                                               : thresholds(rng, cols, scale);
        std::vector<double> kk(cols, -1.0), s(cols, -1.0), c(cols, -1.0), cnt(cols, -1.0);
        std::vector<double> kr = kk, sr = s, cr = c, cntr = cnt;
        Pick<T>::column_stats(k)(y.data(), rows, cols, c0, c1, scale, mu.data(), kk.data(), s.data(), c.data(),
                                 lo.data(), cnt.data());
        Pick<T>::column_stats(ref)(y.data(), rows, cols, c0, c1, scale, mu.data(), kr.data(), sr.data(), cr.data(),
                                   lo.data(), cntr.data());
        CHECK_MSG(same_bytes(kk, kr) && same_bytes(s, sr) && same_bytes(c, cr) && same_bytes(cnt, cntr),
                  k.name << " column_stats rows=" << rows << " c0=" << c0);
        for (std::size_t j = c0; j < c1; ++j) {  // the scalar table against the definition
          double kd = 0, nd = 0, sum = 0, comp = 0, part = 0;
          for (std::size_t i = 0; i < rows; ++i) {
            const double a = std::fabs(static_cast<double>(y[i * cols + j])) * scale;
            kd += a >= mu[j] ? 1 : 0;
            nd += a >= lo[j] ? 1 : 0;
            part += a >= mu[j] ? a : 0.0;
            // Eight rows per compensated add, then the rows left one by one.
            if (i % 8 == 7 || i >= rows / 8 * 8) {
              comp_add_ref(sum, comp, part);
              part = 0;
            }
          }
          CHECK_MSG(kr[j] == kd && cntr[j] == nd && sr[j] == sum + comp, "column_stats definition j=" << j);
        }
        // The gap variant: the same statistics, bit for bit, and the gap
        // around each threshold against its definition.
        std::vector<double> kg(cols, -1.0), sg(cols, -1.0), cg(cols, -1.0), ng(cols, -1.0), lb(cols, -1.0),
            ub(cols, -1.0);
        Pick<T>::column_stats_gap(k)(y.data(), rows, cols, c0, c1, scale, mu.data(), kg.data(), sg.data(), cg.data(),
                                     lo.data(), ng.data(), lb.data(), ub.data());
        CHECK_MSG(same_bytes(kg, kr) && same_bytes(sg, sr) && same_bytes(cg, cr) && same_bytes(ng, cntr),
                  k.name << " column_stats_gap rows=" << rows << " c0=" << c0);
        // Outside [c0, c1) the gaps keep their preset -1: no stray store.
        for (std::size_t j = 0; j < cols; ++j)
          if (j < c0 || j >= c1)
            CHECK_MSG(lb[j] == -1.0 && ub[j] == -1.0, k.name << " column_stats_gap wrote column " << j << " outside");
        for (std::size_t j = c0; j < c1; ++j) {
          double below = 0.0, above = std::numeric_limits<double>::infinity();
          for (std::size_t i = 0; i < rows; ++i) {
            const double a = std::fabs(static_cast<double>(y[i * cols + j])) * scale;
            if (a >= mu[j])
              above = std::min(above, a);
            else
              below = std::max(below, a);
          }
          CHECK_MSG(lb[j] == below && ub[j] == above, k.name << " column_stats_gap gap j=" << j);
        }
        // The list variant at threshold mu: the same counts and sums, and the
        // entries below mu as (column, value), in row order per column; with
        // too little room it stops writing but keeps counting.
        for (std::size_t cap : {std::size_t(0), std::size_t(5), rows * cols}) {
          std::vector<double> kb(cols, -1.0), sb(cols, -1.0), cb(cols, -1.0), val(cap + 1, -1.0);
          std::vector<std::uint32_t> col(cap + 1, 0xffffffffu);
          std::size_t held = 0;
          Pick<T>::column_stats_below(k)(y.data(), rows, cols, c0, c1, scale, mu.data(), kb.data(), sb.data(),
                                         cb.data(), cap, col.data(), val.data(), &held);
          CHECK_MSG(same_bytes(kb, kr) && same_bytes(sb, sr), k.name << " column_stats_below rows=" << rows);
          std::vector<std::vector<double>> want(cols), got(cols);
          std::size_t total = 0;
          for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t j = c0; j < c1; ++j) {
              const double a = std::fabs(static_cast<double>(y[i * cols + j])) * scale;
              if (!(a >= mu[j])) want[j].push_back(a), ++total;
            }
          CHECK_MSG(held == total, k.name << " column_stats_below held " << held << " of " << total);
          CHECK_MSG(val[cap] == -1.0 && col[cap] == 0xffffffffu, k.name << " column_stats_below wrote past cap");
          if (cap >= total) {
            for (std::size_t e = 0; e < held; ++e) got[col[e]].push_back(val[e]);
            CHECK_MSG(got == want, k.name << " column_stats_below list rows=" << rows << " c0=" << c0);
          }
        }
      }
  }
  for (std::size_t len = 0; len < 150; len += (len < 72 ? 1 : 7)) {
    for (std::size_t off = 0; off < 3; ++off) {
      const std::vector<T> r = values<T>(rng, len + off);
      const double u = rng.below(3) == 0 ? 0.25 : std::fabs(rng.normal());
      double kg = -1, sg = -1, kr = -1, sr = -1;
      Pick<T>::group_stats(k)(r.data() + off, len, scale, u, &kg, &sg);
      Pick<T>::group_stats(ref)(r.data() + off, len, scale, u, &kr, &sr);
      CHECK_MSG(std::memcmp(&kg, &kr, sizeof kg) == 0 && std::memcmp(&sg, &sr, sizeof sg) == 0,
                k.name << " group_stats len=" << len);
      // The definition: eight lanes, summed plainly over 64 entries (or 8 in
      // the short tail), then compensated; the last entries one by one.
      double lane[8] = {}, sum = 0, comp = 0, kd = 0;
      std::size_t j = 0;
      auto at = [&](std::size_t i) {
        const double a = std::fabs(static_cast<double>(r[off + i])) * scale;
        kd += a >= u ? 1 : 0;
        return a >= u ? a : 0.0;
      };
      for (; j + 64 <= len; j += 64) {
        for (double& x : lane) x = 0;
        for (std::size_t q = 0; q < 64; ++q) lane[q % 8] += at(j + q);
        comp_add_ref(sum, comp, fold8_ref(lane));
      }
      for (; j + 8 <= len; j += 8) {
        for (std::size_t q = 0; q < 8; ++q) lane[q] = at(j + q);
        comp_add_ref(sum, comp, fold8_ref(lane));
      }
      for (; j < len; ++j) comp_add_ref(sum, comp, at(j));
      CHECK_MSG(kr == kd && sr == sum + comp, "group_stats definition len=" << len);
    }
  }
  // The fill. The float loop takes each row's way (test each vector, or
  // list the row's candidates) from the row before: the first row and rows
  // after one without candidates go the first way, the others the second.
  // With 70 rows most columns have room for at most one candidate. 67
  // columns: rows of several whole vectors, so the list of a row's
  // candidates is built from several masks, then a tail.
  for (std::size_t rows : {0, 1, 5, 70}) {
    for (std::size_t cols : {1, 3, 8, 13, 67}) {
      const std::vector<T> y = values<T>(rng, rows * cols);
      const std::vector<double> bound = thresholds(rng, cols, scale);
      std::vector<std::size_t> cap(cols), cbeg(cols + 1, 0);
      for (std::size_t j = 0; j < cols; ++j) {
        cap[j] = rng.below(rows == 70 ? 2 : rows + 1);  // some columns run out of room
        cbeg[j + 1] = cbeg[j] + cap[j];
      }
      std::vector<std::size_t> len(cols, 0), lenr(cols, 0), lend(cols, 0);
      std::vector<double> out(cbeg[cols] + 1, -1.0), outr = out, outd = out;
      Pick<T>::fill(k)(y.data(), rows, cols, scale, bound.data(), cap.data(), cbeg.data(), len.data(), out.data());
      Pick<T>::fill(ref)(y.data(), rows, cols, scale, bound.data(), cap.data(), cbeg.data(), lenr.data(), outr.data());
      CHECK_MSG(same_bytes(len, lenr) && same_bytes(out, outr), k.name << " fill rows=" << rows << " cols=" << cols);
      for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j) {
          const double a = std::fabs(static_cast<double>(y[i * cols + j])) * scale;
          if (a >= bound[j] && lend[j] < cap[j]) outd[cbeg[j] + lend[j]++] = a;
        }
      }
      CHECK_MSG(same_bytes(lend, lenr) && same_bytes(outd, outr), "fill definition");
    }
  }
}

// The finiteness check: every length up to a few vectors, every offset, and
// a NaN, +inf, -inf or the largest finite value at every position (the body
// and the tail); subnormals and signed zeros are finite.
template <class T>
void check_finite(const KernelTable& k) {
  using Lim = std::numeric_limits<T>;
  // The finiteness loop itself, and the report of the write loops whose check
  // rides along (clamp and scale, per-entry and one parameter, direct and
  // streamed): all must agree on every range.
  std::vector<T> c(96, T(1)), dst(96);
  std::vector<double> sc(96, 0.5);
  auto fn = [&](const T* v, std::size_t n) {
    bool f, w[6];
    if constexpr (sizeof(T) == 8) {
      f = k.finite_f64(v, n);
      w[0] = k.clamp_each_f64(v, c.data(), T(0), dst.data(), n);
      w[1] = k.clamp_one_f64(v, nullptr, T(1), dst.data(), n);
      w[2] = k.scale_f64[1][0](v, sc.data(), 0.0, dst.data(), n);
      w[3] = k.scale_f64[1][1](v, sc.data(), 0.0, dst.data(), n);
      w[4] = k.scale_f64[0][0](v, nullptr, 0.5, dst.data(), n);
      w[5] = k.scale_f64[0][1](v, nullptr, 0.5, dst.data(), n);
    } else {
      f = k.finite_f32(v, n);
      w[0] = k.clamp_each_f32(v, c.data(), T(0), dst.data(), n);
      w[1] = k.clamp_one_f32(v, nullptr, T(1), dst.data(), n);
      w[2] = k.scale_f32[1][0](v, sc.data(), 0.0, dst.data(), n);
      w[3] = k.scale_f32[1][1](v, sc.data(), 0.0, dst.data(), n);
      w[4] = k.scale_f32[0][0](v, nullptr, 0.5, dst.data(), n);
      w[5] = k.scale_f32[0][1](v, nullptr, 0.5, dst.data(), n);
    }
    for (bool x : w) CHECK(x == f);
    return f;
  };
  const T odd[4] = {Lim::quiet_NaN(), Lim::infinity(), -Lim::infinity(), Lim::max()};
  std::vector<T> v(80);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i % 3 == 0 ? -T(0) : (i % 3 == 1 ? Lim::denorm_min() : T(i));
  for (std::size_t off = 0; off < 4; ++off) {
    for (std::size_t n = 0; off + n <= v.size(); ++n) {
      CHECK(fn(v.data() + off, n));
      for (std::size_t at = 0; at < n; ++at) {
        for (const T x : odd) {
          const T keep = v[off + at];
          v[off + at] = x;
          CHECK(fn(v.data() + off, n) == (x == Lim::max()));
          v[off + at] = keep;
        }
      }
    }
  }
}

// The float soft threshold narrows by truncation where the result is a
// normal float or zero and goes entry by entry elsewhere: results around the
// smallest normal float, subnormal results, differences that must round
// toward zero, infinities and NaN, mixed with ordinary lanes in every vector
// position, must all keep narrow_toward_zero's bits.
void check_float_shrink_edges(const KernelTable& k, Rng& rng) {
  const float fmin = std::numeric_limits<float>::min(), inf = std::numeric_limits<float>::infinity();
  const std::vector<std::pair<float, double>> edge = {
      {1.5f * fmin, 0.5 * fmin},                                // exactly the smallest normal
      {fmin, 0.25 * fmin},                                      // subnormal result
      {std::nextafter(fmin, 1.0f), static_cast<double>(fmin)},  // a subnormal, one ulp of it
      {4.0f * fmin, 1.5 * fmin + 1e-50},                        // just under a normal: rounds down
      {1.0f, 1e-9},                                             // a difference below float precision
      {-3.0f, 1e-300},                                          // rounds toward zero, negative
      {std::nextafter(1.0f, 2.0f), 1.0 - 1e-12},                // a difference above the subnormals
      {inf, 1.0},
      {-inf, 0.0},
      {std::numeric_limits<float>::quiet_NaN(), 0.5},
      {std::numeric_limits<float>::max(), 0.0},
      {-std::numeric_limits<float>::max(), 1e30},
      {2.0f, inf},
      {-0.0f, 0.0},
  };
  for (std::size_t n : {std::size_t(8), std::size_t(19), std::size_t(40)}) {
    for (int round = 0; round < 40; ++round) {
      std::vector<float> src(n), got(n), want(n);
      std::vector<double> t(n);
      for (std::size_t i = 0; i < n; ++i) {
        if (rng.below(3) == 0) {
          const auto& e = edge[rng.below(edge.size())];
          src[i] = e.first;
          t[i] = e.second;
        } else {
          src[i] = static_cast<float>(4.0 * rng.normal());
          t[i] = std::fabs(rng.normal());
        }
      }
      for (int stream = 0; stream < 2; ++stream) {
        k.shrink_f32[1][stream](src.data(), t.data(), 0.0, got.data(), n);
        for (std::size_t i = 0; i < n; ++i) want[i] = shrink_ref(src[i], t[i]);
        CHECK_MSG(same_bytes(got, want), k.name << " float shrink edges n=" << n);
        k.shrink_f32[0][stream](src.data(), nullptr, t[0], got.data(), n);
        for (std::size_t i = 0; i < n; ++i) want[i] = shrink_ref(src[i], t[0]);
        CHECK_MSG(same_bytes(got, want), k.name << " float shrink edges, one t, n=" << n);
      }
    }
  }
}

}  // namespace

TEST(simd_tables_find_every_non_finite_entry) {
  for (const KernelTable* k : tables()) {
    check_finite<double>(*k);
    check_finite<float>(*k);
  }
}

TEST(simd_tables_write_the_scalar_bytes) {
  if (bp::simd::avx512_kernels() == nullptr)
    std::printf("  (skipped here: no kernel table has %s)\n",
                "the AVX-512F table (its loops are checked against the scalar table here)");
  for (const KernelTable* k : tables()) {
    Rng rng(77);
    check_writes<double>(*k, rng);
    check_writes<float>(*k, rng);
    check_float_shrink_edges(*k, rng);
    check_adam<double>(*k, rng);
    check_adam<float>(*k, rng);
    check_columns<double>(*k, rng);
    check_columns<float>(*k, rng);
    check_column_counts<double>(*k, rng);
    check_column_counts<float>(*k, rng);
    check_stream_passes<double>(*k, rng);
    check_stream_passes<float>(*k, rng);
    check_stream_passes<double>(*k, rng, 1.0);
    check_stream_passes<float>(*k, rng, 1.0);
  }
}

TEST(simd_kernels_is_the_best_table_the_cpu_runs) {
  const KernelTable& k = bp::simd::kernels();
  const KernelTable* best = bp::simd::avx512_kernels() != nullptr ? bp::simd::avx512_kernels()
                            : bp::simd::avx2_kernels() != nullptr ? bp::simd::avx2_kernels()
                                                                  : &bp::simd::baseline_kernels();
  CHECK(&k == best);
  CHECK(&bp::simd::kernels() == &k);  // chosen once
}

// The l1 ball's threshold passes (l1_sum_above, l1_masked_sum4): every table
// gives the bits of the baseline loops they replace, lane by lane: the
// eight-lane sum against its definition in plain code (entry i + q of a step
// of 8 into lane q), the four-lane two-sum against masked_sum_lanes itself
// where its lanes are four (SSE2). Entries as the threshold sees them
// (>= 0: spread, tied, zeros) plus NaN and infinities, every length and
// start up to a few steps, thresholds at -inf, at an entry and between.
TEST(simd_tables_give_the_l1_threshold_passes_the_baseline_bits) {
  Rng rng(2718);
  for (int round = 0; round < 300; ++round) {
    const std::size_t n = static_cast<std::size_t>(round % 67), off = rng.below(4);
    std::vector<double> buf(n + off + 1);
    for (double& x : buf) {
      switch (rng.below(9)) {
        case 0:
          x = 0.0;
          break;
        case 1:
          x = 0.75;
          break;
        case 2:
          x = round % 11 == 0 ? std::numeric_limits<double>::quiet_NaN() : 1e300;
          break;
        case 3:
          x = round % 13 == 0 ? std::numeric_limits<double>::infinity() : 1e-300;
          break;
        default:
          x = std::fabs(rng.normal()) * std::pow(10.0, rng.uniform() * 4 - 2);
      }
    }
    const double* a = buf.data() + off;
    const double t = round % 3 == 0 ? -INFINITY : (round % 3 == 1 ? 0.75 : 0.5 * rng.uniform());
    const double shift = round % 2 == 0 ? 0.0 : t;
    // The eight-lane definition.
    double want_s[8] = {}, want_c[8] = {};
    std::size_t want_end = 0;
    for (; want_end + 8 <= n; want_end += 8) {
      for (std::size_t q = 0; q < 8; ++q) {
        const double x = a[want_end + q];
        want_s[q] += x > t ? x : 0.0;
        want_c[q] += x > t ? 1.0 : 0.0;
      }
    }
    const bp::MaskedSumLanes base = bp::masked_sum_lanes(a, n, t, shift);
    for (const KernelTable* k : tables()) {
      double s[8], c[8];
      CHECK(k->l1_sum_above(a, n, t, s, c) == want_end);
      CHECK_MSG(std::memcmp(s, want_s, sizeof s) == 0, k->name << " l1_sum_above n=" << n);
      CHECK_MSG(std::memcmp(c, want_c, sizeof c) == 0, k->name << " l1_sum_above counts n=" << n);
      if constexpr (bp::MaskedSumLanes::kLanes == 4) {
        double s4[4], e4[4], c4[4];
        CHECK(k->l1_masked_sum4(a, n, t, shift, s4, e4, c4) == base.end);
        CHECK_MSG(std::memcmp(s4, base.sum, sizeof s4) == 0, k->name << " l1_masked_sum4 n=" << n);
        CHECK_MSG(std::memcmp(e4, base.err, sizeof e4) == 0, k->name << " l1_masked_sum4 errors n=" << n);
        CHECK_MSG(std::memcmp(c4, base.count, sizeof c4) == 0, k->name << " l1_masked_sum4 counts n=" << n);
      }
    }
  }
}

// The exact method's envelope sweep (envelope_sum4, exact_stream.cpp's
// envelope_at): every table gives the bits of the scalar lane written out
// here (group q into lane q mod 4, add_nonneg's sum, the slope's sum), with
// and without counted nonzeros, by index and in order, from nonzero lane
// sums, at thetas below, among and above the groups' s_j (round twenty-eight,
// docs/exact-stream.md).
TEST(simd_tables_give_the_envelope_sweep_the_scalar_bits) {
  Rng rng(2627);
  for (int round = 0; round < 200; ++round) {
    const std::size_t ng = 4 * (1 + rng.below(40));
    std::vector<double> s(ng), mx(ng), nz(ng);
    for (std::size_t j = 0; j < ng; ++j) {
      mx[j] = std::fabs(rng.normal()) * (round % 3 == 0 ? 1e3 : 1.0);
      s[j] = mx[j] * (1.0 + 50.0 * rng.uniform());
      nz[j] = static_cast<double>(rng.below(60));  // 0 included: reach is max(nz, 1)
    }
    std::vector<std::size_t> idx(ng);
    for (std::size_t q = 0; q < ng; ++q) idx[q] = rng.below(ng);
    const bool by_index = round % 2 == 1, counted = round % 4 >= 2;
    const double inv_len = 1.0 / 100.0;
    const double theta = s[rng.below(ng)] * (rng.uniform() * 1.2);
    double want_s[4], want_c[4], want_l[4], start[4];
    for (int l = 0; l < 4; ++l) start[l] = round % 5 == 0 ? 0.0 : rng.uniform();
    for (int l = 0; l < 4; ++l) {
      want_s[l] = start[l];
      want_c[l] = 0.0;
      want_l[l] = start[l];
    }
    for (std::size_t q = 0; q < ng; ++q) {
      const std::size_t j = by_index ? idx[q] : q;
      const int l = static_cast<int>(q % 4);
      const double inv = counted ? 1.0 / std::max(nz[j], 1.0) : inv_len;
      const double by_sum = (s[j] - theta) * inv, by_max = mx[j] - theta;
      const double t = std::max(by_max, by_sum);
      const bool on = t > 0.0;
      bp::add_nonneg(want_s[l], want_c[l], on ? t : 0.0);
      want_l[l] += on ? (by_max >= by_sum ? 1.0 : inv) : 0.0;
    }
    for (const KernelTable* k : tables()) {
      double gs[4], gc[4], gl[4];
      for (int l = 0; l < 4; ++l) {
        gs[l] = start[l];
        gc[l] = 0.0;
        gl[l] = start[l];
      }
      k->envelope_sum4(s.data(), mx.data(), counted ? nz.data() : nullptr, inv_len, by_index ? idx.data() : nullptr, ng,
                       theta, gs, gc, gl);
      CHECK_MSG(std::memcmp(gs, want_s, sizeof gs) == 0, k->name << " envelope sums, round " << round);
      CHECK_MSG(std::memcmp(gc, want_c, sizeof gc) == 0, k->name << " envelope compensations, round " << round);
      CHECK_MSG(std::memcmp(gl, want_l, sizeof gl) == 0, k->name << " envelope slopes, round " << round);
    }
  }
}

// clamp_wrap (the float clip of short rows as one stream, apply.hpp) must
// write what the one-row clamp writes row by row, for row lengths that are
// and are not whole vectors, every dst alignment, starts inside a row (j),
// and report a non-finite entry anywhere in the range.
TEST(simd_tables_clip_rows_end_to_end_as_the_one_row_clip) {
  constexpr std::size_t kWrap = bp::simd::kWrapLanes;
  for (const KernelTable* k : tables()) {
    Rng rng(91);
    for (std::size_t m : {std::size_t(16), std::size_t(17), std::size_t(31), std::size_t(40), std::size_t(1000)}) {
      std::vector<float> c(m), cc(m + kWrap);
      for (float& x : c) x = rng.below(4) == 0 ? 0.5f : static_cast<float>(std::fabs(rng.normal()));
      for (std::size_t j = 0; j < cc.size(); ++j) cc[j] = c[j % m];
      for (std::size_t rows : {std::size_t(1), std::size_t(2), std::size_t(5)}) {
        for (std::size_t off = 0; off < 16; off += 3) {
          for (std::size_t j0 : {std::size_t(0), m - 1, m / 2}) {
            const std::size_t n = rows * m - j0;
            std::vector<float> src = values<float>(rng, n + 16), got(n + 16, 7.0f), want(n + 16, 7.0f);
            const bool finite = k->clamp_wrap_f32(src.data() + off, cc.data(), got.data() + off, n, m, j0);
            CHECK_MSG(finite, k->name << " clamp_wrap finite m=" << m);
            // Row by row: the first (partial) row from column j0, then whole rows.
            std::size_t at = 0, col = j0;
            while (at < n) {
              const std::size_t len = std::min(m - col, n - at);
              k->clamp_each_f32(src.data() + off + at, c.data() + col, 0.0f, want.data() + off + at, len);
              at += len;
              col = 0;
            }
            CHECK_MSG(same_bytes(got, want),
                      k->name << " clamp_wrap m=" << m << " rows=" << rows << " off=" << off << " j=" << j0);
            if (n > 0) {
              src[off + rng.below(n)] = std::numeric_limits<float>::infinity();
              CHECK_MSG(!k->clamp_wrap_f32(src.data() + off, cc.data(), got.data() + off, n, m, j0),
                        k->name << " clamp_wrap misses a non-finite entry m=" << m);
            }
          }
        }
      }
    }
  }
}
