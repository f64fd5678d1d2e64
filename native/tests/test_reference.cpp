// Every case of ../shared/reference against its PASS rule, read directly by
// the core (no Node): the float64 cases must also meet atol_tight.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "brute.hpp"
#include "harness.hpp"
#include "json.hpp"
#include "run.hpp"

using namespace bptest;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream os;
  os << f.rdbuf();
  return os.str();
}

template <class T>
std::vector<T> read_bin(const std::string& path) {
  std::string b = slurp(path);
  std::vector<T> v(b.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}

struct Checked {
  double err = 0, radii_err = 0;
  std::size_t zero = 0;
};

template <class T>
void check_case(const Json& c, Method method, const std::vector<T>& y) {
  const std::string dir = shared_reference_dir() + "/";
  const std::size_t n = static_cast<std::size_t>(c["n"].number), m = static_cast<std::size_t>(c["m"].number);
  const bool rows = c["groups"].string == "rows";
  const double eta = std::strtod(c["eta_hex"].string.c_str(), nullptr);
  const Json& tol = c["tolerance"];
  const double atol = std::is_same<T, double>::value ? tol["atol_tight"].number : tol["atol"].number;
  std::vector<double> want = read_bin<double>(dir + c["expected"]["file"].string);
  const std::string id = c["id"].string;
  if (c["algorithm"].string == "projectL1Ball") {
    std::vector<T> out(y.size());
    CHECK(bp::project_l1_ball(y.data(), y.size(), eta, out.data()) == bp::Status::kOk);
    for (std::size_t k = 0; k < y.size(); ++k) CHECK_MSG(std::fabs(out[k] - want[k]) <= atol, id << " entry " << k);
    return;
  }
  Result<T> r = run(method, y, n, m, rows, eta);
  CHECK_MSG(r.status == bp::Status::kOk, id);
  double err = 0;
  for (std::size_t k = 0; k < y.size(); ++k) err = std::max(err, std::fabs(static_cast<double>(r.out[k]) - want[k]));
  CHECK_MSG(err <= atol, id << " max err " << err << " atol " << atol);
  std::vector<double> wr = read_bin<double>(dir + c["expected_radii"]["file"].string);
  double rerr = 0;
  for (std::size_t g = 0; g < wr.size(); ++g) rerr = std::max(rerr, std::fabs(r.radii[g] - wr[g]));
  const double ratol = std::is_same<T, double>::value ? tol["radii_atol"].number * 1e-3 : tol["radii_atol"].number;
  CHECK_MSG(rerr <= ratol, id << " radii err " << rerr);
  const Json& zr = c["zero_groups_range"];
  const double zero = static_cast<double>(r.zero_groups);
  CHECK_MSG(zero >= zr[0].number && zero <= zr[1].number, id << " zero groups " << r.zero_groups);
}

}  // namespace

TEST(reference_vectors) {
  if (shared_reference_dir().empty()) {
    CHECK_MSG(false, "pass the reference directory as the first argument");
    return;
  }
  std::string text = slurp(shared_reference_dir() + "/manifest.json");
  CHECK_MSG(!text.empty(), "cannot read manifest.json under " << shared_reference_dir());
  if (text.empty()) return;
  Json manifest = Json::parse(text);
  std::size_t seen = 0;
  for (const Json& c : manifest["cases"].array) {
    const std::string alg = c["algorithm"].string;
    std::vector<Method> methods;
    if (alg == "projectL1Inf")
      methods = {Method::kNewton, Method::kSort, Method::kStream};
    else if (alg == "proxLInf1")
      methods = {Method::kProxNewton, Method::kProxSort, Method::kProxStream};
    else if (alg == "bilevelL1Inf")
      methods = {Method::kBilevelL1Inf};
    else if (alg == "bilevelL11")
      methods = {Method::kBilevelL11};
    else if (alg == "bilevelL12")
      methods = {Method::kBilevelL12};
    else if (alg == "projectL1Ball")
      methods = {Method::kBilevelL1Inf};  // unused
    else
      CHECK_MSG(false, "unknown algorithm " << alg);
    const std::string file = shared_reference_dir() + "/" + c["input"]["file"].string;
    for (Method method : methods) {
      if (c["input"]["dtype"].string == "float32")
        check_case<float>(c, method, read_bin<float>(file));
      else
        check_case<double>(c, method, read_bin<double>(file));
    }
    ++seen;
  }
  CHECK_MSG(seen == manifest["cases"].array.size() && seen >= 54, "cases seen " << seen);
}
