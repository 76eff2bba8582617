// Exact rational numbers for metric values and plan figures, so that money
// never depends on binary floating-point error. Numerator and denominator are
// 128-bit, reduced by their gcd; the payment arithmetic on them is done in
// services/metrics/exact.h, whose rationals have no size limit.
#pragma once

#include <cstdint>
#include <string>

namespace carelog::metrics {

__extension__ typedef __int128 Int128;

class Fraction {
 public:
  Fraction() = default;
  // num / den; den must not be 0. The sign is kept on the numerator.
  Fraction(Int128 num, Int128 den);
  static Fraction Of(int64_t n) { return Fraction(n, 1); }
  // A decimal given as a double (e.g. a plan's baseline 6200.5), taken to 6
  // decimal places.
  static Fraction FromDecimal(double value);

  Int128 num() const { return num_; }
  Int128 den() const { return den_; }
  double ToDouble() const;

  friend bool operator==(const Fraction& a, const Fraction& b) {
    return a.num_ == b.num_ && a.den_ == b.den_;
  }

 private:
  Int128 num_ = 0;
  Int128 den_ = 1;
};

}  // namespace carelog::metrics
