// What the tests of the record loops (candidate_records.hpp: the plain
// records and the band's) check of a loop's output against a plain loop's:
// the rows taken, the records in order, and nothing written past the room.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "harness.hpp"

namespace bptest {

// col and val were filled with 7u and -1.0 up to cap + 1 before the loop ran.
inline void check_same_records(const std::string& what, std::size_t rows, std::size_t want_rows, std::size_t count,
                               const std::vector<std::uint32_t>& col, const std::vector<double>& val,
                               const std::vector<std::uint32_t>& want_col, const std::vector<double>& want_val,
                               std::size_t cap) {
  CHECK_MSG(rows == want_rows && count == want_col.size(),
            what << ": rows " << rows << " vs " << want_rows << ", records " << count << " vs " << want_col.size());
  CHECK_MSG(std::equal(want_col.begin(), want_col.end(), col.begin()) &&
                std::equal(want_val.begin(), want_val.end(), val.begin()),
            what << ": records differ");
  CHECK_MSG(col[cap] == 7u && val[cap] == -1.0, what << ": wrote past cap");
}

}  // namespace bptest
