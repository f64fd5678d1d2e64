// Umbrella header of the numerical core: everything a binding, a test or a
// fuzzer needs. Nothing here depends on Node.
#pragma once

#include "bilevel.hpp"
#include "exact.hpp"
#include "l1ball.hpp"
#include "norms.hpp"
#include "operations.hpp"
#include "split.hpp"
#include "status.hpp"
