// Authentication: which credential a request presents (a bearer token or Azure's api-key) and
// whether it is the key the emulator was started with (any key passes when none was given).
#pragma once

#include "emulator/handler.hpp"

#include <string_view>

namespace openai::emulator {

/// The scheme presented: "none" (no credential), "bearer", "api-key" or "other" (an Authorization
/// header that is not a bearer token); `ok` says whether the request may pass.
std::string_view auth_scheme(const received_request& req, const emulator_state& state, bool& ok);

} // namespace openai::emulator
