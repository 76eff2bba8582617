// Arbitrary-precision rationals for the payment arithmetic. A tranche's
// weighted achievement adds products of weights and achievements whose
// denominators (populations, days, plan figures to 6 places) multiply: three
// metrics can outgrow 128 bits, and money must not then depend on rounding.
// Boost.Multiprecision's rationals are exact at any size (header-only, part of
// the Boost we already build with).
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>

#include "services/metrics/fraction.h"

namespace carelog::metrics {

using Exact = boost::multiprecision::cpp_rational;

Exact ToExact(const Fraction& f);
double ToDouble(const Exact& v);
// The value rounded half up (away from zero for halves) to an integer; the
// caller knows it fits in 64 bits (pence of a pot).
int64_t RoundHalfUp(const Exact& v);

}  // namespace carelog::metrics
