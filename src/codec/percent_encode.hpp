// RFC 3986 percent-encoding, for path segments and query parts the client builds.
#pragma once

#include <string>
#include <string_view>

namespace openai::codec {

/// `s` with every byte but RFC 3986's unreserved ones (ALPHA DIGIT - . _ ~) as %XX.
std::string percent_encode(std::string_view s);

} // namespace openai::codec
