// Exact rational numbers for metric values and payment achievements, so that
// money never depends on binary floating-point error. Numerator and denominator
// are 128-bit; operations reduce by the gcd and report overflow instead of
// wrapping.
#pragma once

#include <cstdint>
#include <optional>
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

  // nullopt on 128-bit overflow.
  friend std::optional<Fraction> Add(const Fraction& a, const Fraction& b);
  friend std::optional<Fraction> Sub(const Fraction& a, const Fraction& b);
  friend std::optional<Fraction> Mul(const Fraction& a, const Fraction& b);
  // b must not be zero.
  friend std::optional<Fraction> Div(const Fraction& a, const Fraction& b);

  friend bool operator==(const Fraction& a, const Fraction& b) {
    return a.num_ == b.num_ && a.den_ == b.den_;
  }
  // Exact comparison (falls back to long double only on overflow).
  friend int Compare(const Fraction& a, const Fraction& b);
  bool IsZero() const { return num_ == 0; }

  // The value rounded half up (away from zero for halves) to an integer.
  Int128 RoundHalfUp() const;

 private:
  Int128 num_ = 0;
  Int128 den_ = 1;
};

std::optional<Fraction> Add(const Fraction& a, const Fraction& b);
std::optional<Fraction> Sub(const Fraction& a, const Fraction& b);
std::optional<Fraction> Mul(const Fraction& a, const Fraction& b);
std::optional<Fraction> Div(const Fraction& a, const Fraction& b);
int Compare(const Fraction& a, const Fraction& b);

}  // namespace carelog::metrics
