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

bool MulOk(Int128 a, Int128 b, Int128* out) {
  return !__builtin_mul_overflow(a, b, out);
}
bool AddOk(Int128 a, Int128 b, Int128* out) {
  return !__builtin_add_overflow(a, b, out);
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

std::optional<Fraction> Add(const Fraction& a, const Fraction& b) {
  Int128 g = Gcd(a.den_, b.den_);
  Int128 da = b.den_ / g;  // multiplier of a
  Int128 db = a.den_ / g;  // multiplier of b
  Int128 x, y, n, d;
  if (!MulOk(a.num_, da, &x) || !MulOk(b.num_, db, &y) || !AddOk(x, y, &n) ||
      !MulOk(a.den_, da, &d)) {
    return std::nullopt;
  }
  return Fraction(n, d);
}

std::optional<Fraction> Sub(const Fraction& a, const Fraction& b) {
  return Add(a, Fraction(-b.num_, b.den_));
}

std::optional<Fraction> Mul(const Fraction& a, const Fraction& b) {
  Int128 g1 = Gcd(a.num_, b.den_);
  Int128 g2 = Gcd(b.num_, a.den_);
  Int128 n, d;
  if (!MulOk(a.num_ / g1, b.num_ / g2, &n) ||
      !MulOk(a.den_ / g2, b.den_ / g1, &d)) {
    return std::nullopt;
  }
  return Fraction(n, d);
}

std::optional<Fraction> Div(const Fraction& a, const Fraction& b) {
  assert(b.num_ != 0);
  return Mul(a, Fraction(b.den_, b.num_));
}

int Compare(const Fraction& a, const Fraction& b) {
  Int128 x, y;
  if (MulOk(a.num_, b.den_, &x) && MulOk(b.num_, a.den_, &y)) {
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  long double l =
      static_cast<long double>(a.num_) / static_cast<long double>(a.den_);
  long double r =
      static_cast<long double>(b.num_) / static_cast<long double>(b.den_);
  return l < r ? -1 : (l > r ? 1 : 0);
}

Int128 Fraction::RoundHalfUp() const {
  // floor((2n + d) / 2d) for n >= 0; symmetric for negatives.
  Int128 n = Abs(num_);
  Int128 q = (2 * n + den_) / (2 * den_);
  return num_ < 0 ? -q : q;
}

}  // namespace carelog::metrics
