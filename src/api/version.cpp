#include <openai/version.hpp>

namespace openai {

// The build passes PROJECT_VERSION so that this and CMake can never disagree.
const char* version_string() noexcept {
    return OPENAI_IMAGES_VERSION_STRING;
}

} // namespace openai
