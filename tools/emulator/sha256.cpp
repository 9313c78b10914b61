#include "emulator/sha256.hpp"

#include <stdexcept>

#include <openssl/evp.h>

namespace openai::emulator {

struct sha256::impl {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    impl() {
        if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
            throw std::runtime_error("SHA-256 unavailable");
    }
    ~impl() { EVP_MD_CTX_free(ctx); }
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
};

sha256::sha256()
    : impl_(std::make_unique<impl>()) {}
sha256::~sha256() = default;
sha256::sha256(sha256&&) noexcept = default;
sha256& sha256::operator=(sha256&&) noexcept = default;

void sha256::update(std::string_view bytes) {
    EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

std::string sha256::hex_digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(impl_->ctx, md, &len);
    EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out += digits[md[i] >> 4];
        out += digits[md[i] & 0xf];
    }
    return out;
}

} // namespace openai::emulator
