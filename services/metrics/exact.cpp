#include "services/metrics/exact.h"

namespace carelog::metrics {
namespace {

using boost::multiprecision::cpp_int;

// v = high x 2^64 + low, with the high half signed (an arithmetic shift) and
// the low half unsigned: right for negative values too.
cpp_int ToInt(Int128 v) {
  cpp_int out = static_cast<int64_t>(v >> 64);
  out <<= 64;
  out += static_cast<uint64_t>(v);
  return out;
}

}  // namespace

Exact ToExact(const Fraction& f) {
  return Exact(ToInt(f.num()), ToInt(f.den()));
}

double ToDouble(const Exact& v) { return v.convert_to<double>(); }

int64_t RoundHalfUp(const Exact& v) {
  // floor((2n + d) / 2d) for n >= 0; symmetric for negatives.
  const cpp_int n = abs(numerator(v));
  const cpp_int d = denominator(v);
  const cpp_int q = (2 * n + d) / (2 * d);
  return (v < 0 ? cpp_int(-q) : q).convert_to<int64_t>();
}

}  // namespace carelog::metrics
