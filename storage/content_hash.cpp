#include "storage/content_hash.h"

#include <openssl/evp.h>

#include <memory>

#include "storage/keys.h"

namespace carelog::storage {

namespace {

constexpr size_t kDigestBytes = 32;

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

void Update(EVP_MD_CTX* ctx, std::string_view part) {
  const std::string len = keys::EncodeU64(part.size());
  EVP_DigestUpdate(ctx, len.data(), len.size());
  EVP_DigestUpdate(ctx, part.data(), part.size());
}

}  // namespace

std::string ContentHash(std::string_view stream, std::string_view type,
                        std::string_view body) {
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  Update(ctx.get(), stream);
  Update(ctx.get(), type);
  Update(ctx.get(), body);
  std::string out(kDigestBytes, '\0');
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()),
                     &len);
  return out;
}

std::string Sha256(std::string_view bytes) {
  std::string out(kDigestBytes, '\0');
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(),
             reinterpret_cast<unsigned char*>(out.data()), &len, EVP_sha256(),
             nullptr);
  return out;
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
