/// Library version, as a compile-time constant and from the compiled library.
#pragma once

namespace openai {

inline constexpr int version_major = 0;
inline constexpr int version_minor = 1;
inline constexpr int version_patch = 0;

/// The version the linked library was built as ("0.1.0"); differs from the header constants only
/// when headers and library come from different installs.
const char* version_string() noexcept;

} // namespace openai
