// Incremental SHA-256 (OpenSSL EVP), hex output: how the request log fingerprints uploads and
// long strings without keeping them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace openai::emulator {

class sha256 {
public:
    sha256();
    ~sha256();
    sha256(sha256&&) noexcept;
    sha256& operator=(sha256&&) noexcept;

    void update(std::string_view bytes);
    /// Lowercase hex digest; the object is reset afterwards.
    std::string hex_digest();

    static std::string hex(std::string_view bytes) {
        sha256 h;
        h.update(bytes);
        return h.hex_digest();
    }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace openai::emulator
