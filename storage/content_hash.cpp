#include "storage/content_hash.h"

#include <openssl/evp.h>

#include <memory>

namespace carelog::storage {

namespace {

constexpr size_t kDigestBytes = 32;

// SHA-256 fetched from OpenSSL's provider once: an implicit fetch on every
// digest (EVP_sha256() with EVP_DigestInit_ex) takes locks and looks the
// algorithm up by name each time. Never freed: digests may run until exit.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// One digest context per thread, reset by each EVP_DigestInit_ex2.
EVP_MD_CTX* ThreadCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

void Update(EVP_MD_CTX* ctx, std::string_view part) {
  unsigned char len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<unsigned char>(part.size() >> (56 - 8 * i));
  EVP_DigestUpdate(ctx, len, sizeof len);
  EVP_DigestUpdate(ctx, part.data(), part.size());
}

void FinalInto(EVP_MD_CTX* ctx, std::string* out) {
  const size_t at = out->size();
  out->resize(at + kDigestBytes);
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out->data() + at),
                     &len);
}

std::string Final(EVP_MD_CTX* ctx) {
  std::string out;
  FinalInto(ctx, &out);
  return out;
}

}  // namespace

void AppendContentHash(std::string* out, std::string_view stream,
                       std::string_view type, std::string_view body) {
  EVP_MD_CTX* ctx = ThreadCtx();
  EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr);
  Update(ctx, stream);
  Update(ctx, type);
  Update(ctx, body);
  FinalInto(ctx, out);
}

std::string ContentHash(std::string_view stream, std::string_view type,
                        std::string_view body) {
  std::string out;
  AppendContentHash(&out, stream, type, body);
  return out;
}

std::string Sha256(std::string_view bytes) {
  EVP_MD_CTX* ctx = ThreadCtx();
  EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr);
  EVP_DigestUpdate(ctx, bytes.data(), bytes.size());
  return Final(ctx);
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace carelog::storage
