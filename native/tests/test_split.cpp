// The split steps of native/core/split.hpp against the one-shot bilevel
// projections: row blocks of a column-grouped matrix (the out-of-core case)
// must give the same bytes for l1,inf, and for l1,2 when the whole norms are
// used; and the two-scalar threshold search must find projectL1Ball's tau.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "apply.hpp"
#include "bilevel_projection.hpp"
#include "harness.hpp"
#include "numeric.hpp"

using namespace bptest;

namespace {

template <class T>
std::vector<T> random_block(Rng& rng, std::size_t n) {
  std::vector<T> y(n);
  for (auto& v : y)
    v = rng.uniform() < 0.05 ? T(0) : static_cast<T>(rng.normal() * std::pow(10.0, rng.uniform() * 4 - 2));
  return y;
}

template <class T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// Row blocks [cut_k, cut_k+1) of an n x m column-grouped matrix: norms per
// block, merged, radii, then each block written on its own.
template <class T>
void check_row_split(Rng& rng, bool l12) {
  const std::size_t n = 2 + rng.below(60), m = 1 + rng.below(40);
  std::vector<T> y = random_block<T>(rng, n * m);
  const bp::MatrixRef<T> whole{y.data(), n, m};
  double total = 0;
  CHECK(bp::mixed_norm(whole, bp::Groups::kColumns, l12 ? bp::NormKind::kL12 : bp::NormKind::kL1Inf, &total) ==
        bp::Status::kOk);
  const double eta = total * rng.uniform();
  std::vector<T> one(n * m);
  std::vector<double> one_radii(m);
  bp::ProjectionResult res;
  const bp::Status st = l12 ? bp::bilevel_l12(whole, bp::Groups::kColumns, eta, one.data(), one_radii.data(), &res)
                            : bp::bilevel_l1inf(whole, bp::Groups::kColumns, eta, one.data(), one_radii.data(), &res);
  CHECK(st == bp::Status::kOk);

  const auto kind = l12 ? bp::GroupNormKind::kL2 : bp::GroupNormKind::kLInf;
  std::vector<std::size_t> cut{0, 1 + rng.below(n - 1), n};
  if (cut[1] > 1 && rng.uniform() < 0.5) cut.insert(cut.begin() + 1, 1 + rng.below(cut[1] - 1));
  std::vector<double> norms(m, 0.0), part(m);
  for (std::size_t k = 0; k + 1 < cut.size(); ++k) {
    const bp::MatrixRef<T> b{y.data() + cut[k] * m, cut[k + 1] - cut[k], m};
    CHECK(bp::group_norms(b, bp::Groups::kColumns, kind, part.data()) == bp::Status::kOk);
    bp::combine_group_norms(kind, norms.data(), part.data(), m, norms.data());
  }
  if (l12)
    CHECK(bp::group_norms(whole, bp::Groups::kColumns, kind, norms.data()) == bp::Status::kOk);  // see docs/split.md
  std::vector<double> radii(m);
  double tau = 0;
  CHECK(bp::bilevel_radii(norms.data(), m, eta, radii.data(), &tau) == bp::Status::kOk);
  CHECK(std::memcmp(radii.data(), one_radii.data(), m * sizeof(double)) == 0);
  std::vector<T> out(n * m);
  for (std::size_t k = 0; k + 1 < cut.size(); ++k) {
    const bp::MatrixRef<T> b{y.data() + cut[k] * m, cut[k + 1] - cut[k], m};
    std::size_t zero = 0;
    CHECK(bp::apply_radii(b, bp::Groups::kColumns, l12 ? bp::ApplyKind::kScale : bp::ApplyKind::kClip, radii.data(),
                          norms.data(), nullptr, out.data() + cut[k] * m, &zero) == bp::Status::kOk);
  }
  CHECK(same_bytes(out, one));
}

}  // namespace

TEST(split_row_blocks_give_the_one_shot_bytes) {
  Rng rng(71);
  for (int trial = 0; trial < 200; ++trial) {
    check_row_split<float>(rng, trial % 2 == 0);
    check_row_split<double>(rng, trial % 2 == 1);
  }
}

TEST(split_combine_is_overflow_safe_and_order_free_for_max) {
  const double a[3] = {1e300, 3.0, 0.0}, b[3] = {1e300, 4.0, 0.0};
  double out[3];
  bp::combine_group_norms(bp::GroupNormKind::kL2, a, b, 3, out);
  CHECK(std::isfinite(out[0]) && std::fabs(out[0] / (std::sqrt(2.0) * 1e300) - 1) < 1e-15);
  CHECK(out[1] == 5.0 && out[2] == 0.0);
  bp::combine_group_norms(bp::GroupNormKind::kLInf, b, a, 3, out);
  CHECK(out[0] == 1e300 && out[1] == 4.0);
}

// A non-finite entry: in place, y is checked before the first write and left
// as it was; into a separate out, the check rides along the write, and out is
// then all NaN (never a half-written block). Rows of 300 columns put the bad
// entry well past rows that have already been written.
TEST(split_apply_refuses_non_finite_without_a_partial_result) {
  for (const bool in_place : {false, true}) {
    for (const std::size_t bad : {std::size_t(0), std::size_t(2), std::size_t(1799)}) {
      const std::size_t rows = 6, cols = 300;
      std::vector<double> y(rows * cols), radii(cols, 0.5);
      for (std::size_t k = 0; k < y.size(); ++k) y[k] = std::sin(double(k));
      y[bad] = bad == 2 ? INFINITY : NAN;
      const std::vector<double> before = y;
      std::vector<double> sep(y.size(), 7.0);
      double* out = in_place ? y.data() : sep.data();
      std::size_t zero = 0;
      CHECK(bp::apply_radii(bp::MatrixRef<double>{y.data(), rows, cols}, bp::Groups::kColumns, bp::ApplyKind::kClip,
                            radii.data(), nullptr, nullptr, out, &zero) == bp::Status::kNonFinite);
      for (std::size_t k = 0; k < y.size(); ++k) {
        CHECK(std::memcmp(&y[k], &before[k], sizeof(double)) == 0);
        if (!in_place) CHECK(std::isnan(sep[k]));
      }
    }
  }
}

TEST(split_threshold_stats_find_the_l1_ball_threshold) {
  Rng rng(81);
  for (int trial = 0; trial < 100; ++trial) {
    const std::size_t n = 8 + rng.below(2000);
    std::vector<double> v = random_block<double>(rng, n);
    double l1 = 0;
    for (double x : v) l1 += std::fabs(x);
    const double eta = l1 * rng.uniform() * 0.9 + 1e-3;
    std::vector<double> ref(n);
    CHECK(bp::project_l1_ball(v.data(), n, eta, ref.data()) == bp::Status::kOk);
    // Eight shards; each round is one all-reduce of (count, sum).
    double tau = 0, prev = -1;
    for (int round = 0; round < 100; ++round) {
      double count = 0, sum = 0;
      for (std::size_t s = 0; s < 8; ++s) {
        const std::size_t lo = n * s / 8, hi = n * (s + 1) / 8;
        double c = 0, t = 0;
        bool nan = false;
        bp::l1_ball_threshold_stats(v.data() + lo, hi - lo, tau, &c, &t, &nan);
        CHECK(!nan);
        count += c;
        sum += t;
      }
      if (count == prev || count == 0) break;
      prev = count;
      tau = (sum - eta) / count;
    }
    double worst = 0, big = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double a = std::fabs(v[i]);
      big = std::max(big, a);
      worst = std::max(worst, std::fabs(std::copysign(std::max(a - tau, 0.0), v[i]) - ref[i]));
    }
    CHECK_MSG(worst <= 1e-12 * big, "worst " << worst << " big " << big);
  }
}

// bilevel_radii against its definition written out (the largest norm and a
// finiteness check, a power-of-two scale, the threshold of a scaled copy,
// the radii from the norms): the same bits and status for every kind of
// norms, the scaled path (norms near the largest double) and eta = 0.
TEST(bilevel_radii_is_its_definition_bit_for_bit) {
  Rng rng(91);
  auto reference = [](const std::vector<double>& nr, double eta, std::vector<double>& radii, double* thr) {
    const std::size_t k = nr.size();
    double big = 0.0, probe = 0.0;
    for (double x : nr) {
      big = x > big ? x : big;
      probe += x - x;
    }
    if (probe != probe || !std::isfinite(big)) return bp::Status::kNonFinite;
    if (eta == 0.0) {
      std::fill(radii.begin(), radii.end(), 0.0);
      *thr = big;
      return bp::Status::kOk;
    }
    const double scale = bp::overflow_guard_scale(big, static_cast<double>(k));
    std::vector<double> s(k);
    for (std::size_t j = 0; j < k; ++j) s[j] = nr[j] * scale;
    const double tau = bp::l1_threshold_inplace(s.data(), k, eta * scale);
    if (tau == 0.0) {
      radii = nr;
      *thr = 0.0;
      return bp::Status::kOk;
    }
    for (std::size_t j = 0; j < k; ++j) radii[j] = std::max(nr[j] * scale - tau, 0.0) / scale;
    *thr = tau / scale;
    return bp::Status::kOk;
  };
  for (int trial = 0; trial < 600; ++trial) {
    const std::size_t k = 1 + rng.below(trial < 300 ? 40 : 4000);
    std::vector<double> nr(k);
    const int kind = trial % 5;
    for (auto& x : nr) {
      x = kind == 0   ? 0.9 + 0.1 * rng.uniform()
          : kind == 1 ? std::fabs(rng.normal()) * std::pow(10.0, rng.uniform() * 8 - 4)
          : kind == 2 ? static_cast<double>(rng.below(3))
          : kind == 3 ? rng.uniform() * 1.7e308
                      : rng.uniform() * 1e-310;
    }
    if (trial % 50 == 7) nr[rng.below(k)] = std::numeric_limits<double>::quiet_NaN();
    if (trial % 50 == 9) nr[rng.below(k)] = std::numeric_limits<double>::infinity();
    double total = 0.0;
    for (double x : nr) total += std::isfinite(x) ? x / static_cast<double>(k) : 0.0;
    for (double share : {0.0, 0.001, 0.2, 0.7, 2.0}) {
      const double eta = share * total * static_cast<double>(k) > 0.0 || share == 0.0
                             ? share * total * static_cast<double>(k)
                             : 1e-300;
      std::vector<double> got(k, -1.0), want(k, -2.0);
      double tg = -1.0, tw = -2.0;
      const bp::Status sg = bp::bilevel_radii(nr.data(), k, eta, got.data(), &tg);
      const bp::Status sw = reference(nr, eta, want, &tw);
      CHECK(sg == sw);
      if (sg != bp::Status::kOk) continue;
      CHECK_MSG(std::memcmp(got.data(), want.data(), k * sizeof(double)) == 0,
                "k=" << k << " kind " << kind << " share " << share);
      CHECK(std::memcmp(&tg, &tw, sizeof tg) == 0);
    }
  }
}

// The clip's zero test (ClipMap::is_zero, decided in double) and its vector
// count (ClipMap::count_zero) are min(T(mx), narrow_toward_zero<T>(c)) == 0,
// the definition the write's bytes follow, for every pair of special values
// (signed zeros, the float rounding edges at 2^-150 and 2^-149, subnormal
// doubles, infinities, NaN, negatives) and random magnitudes, at every
// length and start of the vector count.
template <class T>
static void check_clip_zero(const std::vector<double>& v) {
  auto def = [](double mx, double c) { return std::min(static_cast<T>(mx), bp::narrow_toward_zero<T>(c)) == T(0); };
  std::vector<double> a, b;
  for (double x : v) {
    for (double y : v) {
      CHECK_MSG(bp::ClipMap<T>::is_zero(x, y) == def(x, y), "mx " << x << " c " << y << " size " << sizeof(T));
      a.push_back(x);
      b.push_back(y);
    }
  }
  for (std::size_t off = 0; off < 5; ++off) {
    for (std::size_t len : {off, off + 1, off + 3, off + 8, a.size() - 1, a.size()}) {
      std::size_t want = 0;
      for (std::size_t i = off; i < len; ++i) want += def(a[i], b[i]) ? 1 : 0;
      CHECK(bp::ClipMap<T>::count_zero(a.data() + off, b.data() + off, len - off) == want);
    }
  }
}

TEST(clip_zero_groups_are_the_narrowed_minimum) {
  std::vector<double> v = {0.0,
                           0x1p-151,
                           0x1p-150,
                           std::nextafter(0x1p-150, 1.0),
                           std::nextafter(0x1p-150, 0.0),
                           0x1p-149,
                           std::nextafter(0x1p-149, 0.0),
                           std::nextafter(0x1p-149, 1.0),
                           0x1p-1074,
                           0x1p-1073,
                           1e-300,
                           0x1p-126,
                           1.0,
                           3.4e38,
                           1e300,
                           std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()};
  const std::size_t base = v.size();
  for (std::size_t i = 0; i < base; ++i) v.push_back(-v[i]);
  Rng rng(5);
  for (int i = 0; i < 40; ++i) v.push_back(std::ldexp(rng.uniform() - 0.5, static_cast<int>(rng.below(400)) - 200));
  check_clip_zero<float>(v);
  check_clip_zero<double>(v);
}

// Double l1,2 results among the subnormals: the scale rounds to nearest, and
// a group of results a few units of 2^-1074 in size then left its ball by
// half a unit an entry (1 x 9 of 3,2,3,2,3,0,2,3,3 units at eta = 4 units
// gave 2,1,2,1,2,0,1,2,2: l2 5 units); such groups are now written rounded
// toward zero (split.cpp, write_radii), and the one-shot zero-group count
// (from the groups' maxima) follows that write.
// Integer multiples of 2^-1074, so the norms are taken exactly in units.
TEST(split_l12_subnormal_results_stay_inside_the_ball_and_count_their_zero_groups) {
  const double u = std::numeric_limits<double>::denorm_min();
  Rng rng(77);
  for (int trial = 0; trial < 400; ++trial) {
    const std::size_t n = 1 + rng.below(8), m = 1 + rng.below(12);
    const bool rows = rng.below(2) == 0;
    const bp::Groups g = rows ? bp::Groups::kRows : bp::Groups::kColumns;
    const std::size_t ng = rows ? n : m, len = rows ? m : n;
    std::vector<double> y(n * m);
    for (double& v : y) v = rng.uniform() < 0.3 ? 0.0 : static_cast<double>(static_cast<int>(rng.below(11)) - 5) * u;
    auto at = [&](const std::vector<double>& x, std::size_t j, std::size_t i) {
      return rows ? x[j * m + i] : x[i * m + j];
    };
    // sum_j ||x_j||_2 in units as doubles hold it (each group's norm rounded
    // to a whole unit: the library's norms are doubles too, so a group of 2
    // and -4 units, l2 4.47 units, is inside a ball of 4), and the groups
    // left all zero.
    auto l2_units = [&](const std::vector<double>& x, std::size_t* zero) {
      long double total = 0;
      *zero = 0;
      for (std::size_t j = 0; j < ng; ++j) {
        long double s = 0;
        for (std::size_t i = 0; i < len; ++i) s += static_cast<long double>(at(x, j, i) / u) * (at(x, j, i) / u);
        total += std::nearbyint(std::sqrt(s));
        *zero += s == 0 ? 1 : 0;
      }
      return static_cast<double>(total);
    };
    const double eta_units = static_cast<double>(1 + rng.below(20));
    std::vector<double> out(y.size()), radii(ng);
    bp::ProjectionResult res{};
    CHECK(bp::bilevel_l12(bp::MatrixRef<double>{y.data(), n, m}, g, eta_units * u, out.data(), radii.data(), &res) ==
          bp::Status::kOk);
    std::size_t zero = 0;
    CHECK_MSG(l2_units(out, &zero) <= eta_units * (1 + 1e-15), "trial " << trial);
    CHECK_MSG(res.zero_groups == zero, "trial " << trial << ": " << res.zero_groups << " counted, " << zero << " zero");
    // The split path's write (no maxima), into out and in place: each entry
    // at most |y| times the factor radii / norms (norms given as doubles:
    // among the subnormals they round to whole units, so the ball is the
    // caller's), and the same bytes both ways.
    std::vector<double> norms(ng);
    for (std::size_t j = 0; j < ng; ++j) {
      long double s = 0;
      for (std::size_t i = 0; i < len; ++i) s += static_cast<long double>(at(y, j, i) / u) * (at(y, j, i) / u);
      norms[j] = static_cast<double>(std::sqrt(s)) * u;
    }
    std::vector<double> first;
    for (const bool in_place : {false, true}) {
      std::vector<double> src = y, sep(y.size(), 7.0);
      double* dst = in_place ? src.data() : sep.data();
      std::size_t counted = 0;
      CHECK(bp::apply_radii(bp::MatrixRef<double>{src.data(), n, m}, g, bp::ApplyKind::kScale, radii.data(),
                            norms.data(), nullptr, dst, &counted) == bp::Status::kOk);
      const std::vector<double>& written = in_place ? src : sep;
      for (std::size_t j = 0; j < ng; ++j) {
        const long double f = norms[j] > 0 ? static_cast<long double>(radii[j] / norms[j]) : 0.0L;
        for (std::size_t i = 0; i < len; ++i)
          CHECK_MSG(std::fabs(static_cast<long double>(at(written, j, i) / u)) <= std::fabs(at(y, j, i) / u) * f,
                    "trial " << trial << " in place " << in_place);
      }
      if (in_place) {
        CHECK(same_bytes(written, first));
      } else {
        first = written;
      }
    }
  }
}
