#include "l1ball.hpp"

#include <algorithm>
#include <cmath>
#include <new>

#include "numeric.hpp"

namespace bp {
namespace {

// Condat's online filter leaves the candidates in a[0, v_end): the ones it
// set aside ("v tilde") in [0, vt_end) and the current list v in
// [vt_end, v_end), with rho the running lower bound of the threshold. This
// finishes the algorithm in place and returns the exact threshold.
double condat_finish(double* a, std::size_t vt_end, std::size_t v_end, double rho,
                     double radius) {
  // Set-aside elements that still exceed rho rejoin v: compact them to the
  // front, then slide v down behind them (both moves go leftwards, so the
  // buffer never grows).
  std::size_t nv = v_end - vt_end;
  std::size_t w = 0;
  for (std::size_t i = 0; i < vt_end; ++i) {
    double y = a[i];
    if (y > rho) {
      a[w++] = y;
      ++nv;
      rho += (y - rho) / static_cast<double>(nv);
    }
  }
  std::copy(a + vt_end, a + v_end, a + w);
  double* v = a;
  // Drop elements that fell below rho until the list is stable.
  for (;;) {
    std::size_t before = nv;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < nv; ++i) {
      double y = v[i];
      if (y > rho) {
        v[kept++] = y;
      } else {
        // Removing y raises the mean-based threshold of the remaining list.
        std::size_t left = kept + (nv - i - 1);
        if (left > 0) rho += (rho - y) / static_cast<double>(left);
      }
    }
    nv = kept;
    if (nv == before) break;
  }
  // rho carries the rounding of every incremental update; recompute the
  // threshold of the final set from a compensated sum, and re-check the set
  // against it (a tie can flip under rounding).
  double tau = rho;
  for (int round = 0; round < 8 && nv > 0; ++round) {
    CompensatedSum s;
    for (std::size_t i = 0; i < nv; ++i) s.add(v[i]);
    s.add(-radius);
    tau = s.value() / static_cast<double>(nv);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < nv; ++i) {
      if (v[i] > tau) v[kept++] = v[i];
    }
    if (kept == nv) break;
    nv = kept;
  }
  // Feasibility in floating point: when the radius is tiny next to the
  // entries, tau's rounding error (relative to the entries) can exceed the
  // radius itself. Raise tau until the survivors' mass fits.
  for (int round = 0; round < 64 && nv > 0; ++round) {
    CompensatedSum s;
    for (std::size_t i = 0; i < nv; ++i) {
      if (v[i] > tau) s.add(v[i] - tau);
    }
    double excess = s.value() - radius;
    if (!(excess > 0.0)) break;
    double step = excess / static_cast<double>(nv);
    double next = tau + step;
    tau = next > tau ? next : std::nextafter(tau, INFINITY);
  }
  return tau > 0.0 ? tau : 0.0;
}

// The first (online) pass of Condat's algorithm over values produced by `get`.
// Output layout as documented on condat_finish.
template <class Get>
double condat_filter(std::size_t n, double radius, double* buf, Get get) {
  std::size_t vt_end = 0, v_end = 1;
  double y0 = get(0);
  buf[0] = y0;
  double rho = y0 - radius;
  for (std::size_t i = 1; i < n; ++i) {
    double y = get(i);
    if (y > rho) {
      double cand = rho + (y - rho) / static_cast<double>(v_end - vt_end + 1);
      if (cand > y - radius) {
        rho = cand;
        buf[v_end++] = y;
      } else {
        // y alone gives a better bound than v plus y: set v aside, restart.
        vt_end = v_end;
        buf[v_end++] = y;
        rho = y - radius;
      }
    }
  }
  return condat_finish(buf, vt_end, v_end, rho, radius);
}

}  // namespace

double l1_threshold_inplace(double* a, std::size_t k, double radius) {
  if (k == 0) return 0.0;
  // Reading a[i] and writing buf[j] with j <= i is safe in place.
  return condat_filter(k, radius, a, [a](std::size_t i) { return a[i]; });
}

template <class T>
double l1_threshold_stream(const T* v, std::size_t n, double radius, double scale,
                           std::vector<double>& scratch) {
  if (n == 0) return 0.0;
  scratch.resize(n);
  return condat_filter(n, radius, scratch.data(), [v, scale](std::size_t i) {
    return std::fabs(static_cast<double>(v[i])) * scale;
  });
}

template <class T>
Status project_l1_ball(const T* v, std::size_t n, double eta, T* out) {
  if (n == 0) return Status::kOk;
  double max_abs = 0.0, sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double a = std::fabs(static_cast<double>(v[i]));
    max_abs = nan_max(max_abs, a);
    sum += a;
  }
  if (!is_finite(max_abs)) return Status::kNonFinite;
  if (eta == 0.0) {
    std::fill(out, out + n, T(0));
    return Status::kOk;
  }
  double scale = overflow_guard_scale(max_abs, static_cast<double>(n));
  if (scale != 1.0) {
    sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += std::fabs(static_cast<double>(v[i])) * scale;
  }
  double radius = eta * scale;
  if (sum <= radius) {
    if (out != v) std::copy(v, v + n, out);
    return Status::kOk;
  }
  double tau;
  try {
    std::vector<double> scratch;
    tau = l1_threshold_stream(v, n, radius, scale, scratch) / scale;
  } catch (const std::bad_alloc&) {
    return Status::kOutOfMemory;
  }
  for (std::size_t i = 0; i < n; ++i) {
    double y = static_cast<double>(v[i]);
    double x = y > tau ? y - tau : (y < -tau ? y + tau : 0.0);
    out[i] = narrow_toward_zero<T>(x);
  }
  return Status::kOk;
}

template double l1_threshold_stream<float>(const float*, std::size_t, double, double,
                                           std::vector<double>&);
template double l1_threshold_stream<double>(const double*, std::size_t, double, double,
                                            std::vector<double>&);
template Status project_l1_ball<float>(const float*, std::size_t, double, float*);
template Status project_l1_ball<double>(const double*, std::size_t, double, double*);

}  // namespace bp
