#include "services/metrics/fraction.h"

#include <cassert>
#include <cmath>

namespace carelog::metrics {
namespace {

Int128 Abs(Int128 v) { return v < 0 ? -v : v; }

Int128 Gcd(Int128 a, Int128 b) {
  a = Abs(a);
  b = Abs(b);
  while (b != 0) {
    Int128 t = a % b;
    a = b;
    b = t;
  }
  return a == 0 ? 1 : a;
}

}  // namespace

Fraction::Fraction(Int128 num, Int128 den) {
  assert(den != 0);
  if (den < 0) {
    num = -num;
    den = -den;
  }
  Int128 g = Gcd(num, den);
  num_ = num / g;
  den_ = den / g;
}

Fraction Fraction::FromDecimal(double value) {
  return Fraction(static_cast<Int128>(std::llround(value * 1e6)), 1'000'000);
}

double Fraction::ToDouble() const {
  return static_cast<double>(static_cast<long double>(num_) /
                             static_cast<long double>(den_));
}

}  // namespace carelog::metrics
