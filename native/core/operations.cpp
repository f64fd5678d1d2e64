#include "operations.hpp"

#include "exact.hpp"

namespace bp {

bool operation_from_number(double number, Operation* op) {
  for (const OperationName& e : kOperations) {
    if (static_cast<double>(static_cast<int>(e.op)) == number) {
      *op = e.op;
      return true;
    }
  }
  return false;
}

bool is_exact_projection(Operation op) {
  return op == Operation::kExactNewton || op == Operation::kExactSort || op == Operation::kExactStream;
}

template <class T>
Status project(Operation op, const MatrixRef<T>& y, Groups g, double eta, T* out, double* radii, ProjectionResult* res,
               const StopToken& stop) {
  switch (op) {
    case Operation::kBilevelL1Inf:
      return bilevel_l1inf(y, g, eta, out, radii, res, stop);
    case Operation::kBilevelL11:
      return bilevel_l11(y, g, eta, out, radii, res, stop);
    case Operation::kBilevelL12:
      return bilevel_l12(y, g, eta, out, radii, res, stop);
    case Operation::kExactNewton:
      return project_l1inf_exact(y, g, eta, ExactMethod::kNewton, out, radii, res, stop);
    case Operation::kExactSort:
      return project_l1inf_exact(y, g, eta, ExactMethod::kSort, out, radii, res, stop);
    case Operation::kProxNewton:
      return prox_linf1(y, g, eta, ExactMethod::kNewton, out, radii, res, stop);
    case Operation::kProxSort:
      return prox_linf1(y, g, eta, ExactMethod::kSort, out, radii, res, stop);
    case Operation::kExactStream:
      return project_l1inf_exact(y, g, eta, ExactMethod::kStream, out, radii, res, stop);
    case Operation::kProxStream:
      return prox_linf1(y, g, eta, ExactMethod::kStream, out, radii, res, stop);
  }
  // Unreachable for a value of the enum: operation_from_number admits only those.
  return Status::kOk;
}

template Status project<float>(Operation, const MatrixRef<float>&, Groups, double, float*, double*, ProjectionResult*,
                               const StopToken&);
template Status project<double>(Operation, const MatrixRef<double>&, Groups, double, double*, double*,
                                ProjectionResult*, const StopToken&);

}  // namespace bp
