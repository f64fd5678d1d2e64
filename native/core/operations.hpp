// The projections by number: the one table through which a projection
// crosses from TypeScript to C++. The binding exports it to lib/ at load
// (`native.operations`, name -> number) and runs every projection through
// `project` below; the SAE trainer names its projection by the same table.
// A new operation is one enum value, one row of kOperations and one case in
// operations.cpp: nothing else in the repository spells a number.
#pragma once

#include <cstddef>

#include "bilevel.hpp"
#include "status.hpp"

namespace bp {

enum class Operation : int {
  kBilevelL1Inf = 0,
  kBilevelL11 = 1,
  kBilevelL12 = 2,
  kExactNewton = 3,  // the exact l1,inf projection, semismooth Newton
  kExactSort = 4,    // the exact l1,inf projection, sort and bisect
  kProxNewton = 5,   // the prox of the l_inf,1 norm (Moreau), Newton
  kProxSort = 6,     // the prox of the l_inf,1 norm (Moreau), sort
  kExactStream = 7,  // the exact l1,inf projection, Newton on streaming passes
  kProxStream = 8,   // the prox of the l_inf,1 norm (Moreau), streaming Newton
};

struct OperationName {
  const char* name;  // the key of native.operations in lib/
  Operation op;
};

inline constexpr OperationName kOperations[] = {
    {"bilevelL1Inf", Operation::kBilevelL1Inf}, {"bilevelL11", Operation::kBilevelL11},
    {"bilevelL12", Operation::kBilevelL12},     {"exactNewton", Operation::kExactNewton},
    {"exactSort", Operation::kExactSort},       {"proxNewton", Operation::kProxNewton},
    {"proxSort", Operation::kProxSort},         {"exactStream", Operation::kExactStream},
    {"proxStream", Operation::kProxStream},
};

// The operation whose number is `number` (an integer-valued double, as a
// JavaScript number arrives); false when the table has none.
bool operation_from_number(double number, Operation* op);

// Whether op is one of the exact l1,inf projections (not the prox).
bool is_exact_projection(Operation op);

// Runs op on y, with the contract of bilevel.hpp and exact.hpp (out may equal
// y.data; radii has one entry per group). The one dispatcher behind the
// binding's project and projectAsync and the SAE trainer's projection step.
template <class T>
Status project(Operation op, const MatrixRef<T>& y, Groups g, double eta, T* out, double* radii, ProjectionResult* res,
               const StopToken& stop = {});

}  // namespace bp
