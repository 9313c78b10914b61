#include <openai/version.hpp>

namespace openai {

// The header is generated from PROJECT_VERSION, so that this and CMake can never disagree.
const char* version_string() noexcept {
    return header_version_string;
}

} // namespace openai
