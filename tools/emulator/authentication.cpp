#include "emulator/authentication.hpp"

#include "codec/ascii.hpp"

#include <string>

namespace openai::emulator {
namespace {

bool key_matches(const std::string& a, const std::string& b) {
    // Constant time in the length of the expected key.
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace

std::string_view auth_scheme(const received_request& req, const emulator_state& state, bool& ok) {
    const std::string* authz = req.header("authorization");
    const std::string* api_key = req.header("api-key");
    std::string_view scheme = "none";
    std::string presented;
    if (authz) {
        std::string_view v = codec::trim(*authz);
        if (v.size() > 7 && codec::starts_with_icase(v, "bearer ")) {
            scheme = "bearer";
            presented = std::string(codec::trim(v.substr(7)));
        } else {
            scheme = "other";
        }
    } else if (api_key) {
        scheme = "api-key";
        presented = std::string(codec::trim(*api_key));
    }
    ok = !state.opts.api_key || ((scheme == "bearer" || scheme == "api-key") &&
                                 key_matches(presented, *state.opts.api_key));
    return scheme;
}

} // namespace openai::emulator
