// Routing: which endpoint a request target names. The API's image operations (OpenAI and Azure
// OpenAI paths), the target's path and query, and how the server reads a body (classify, in
// handler.hpp).
#pragma once

#include "emulator/request_checks.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace openai::emulator {

/// A request target taken apart: the path, and the query decoded (url_decode).
struct target_parts {
    std::string path;
    std::multimap<std::string, std::string> query;
};

target_parts split_target(std::string_view target);

/// The first value of a query parameter, or nullptr.
const std::string* query_value(const target_parts& t, const std::string& name);

// Which API operation a path names (nullopt: none).
struct route {
    operation op;
    bool azure = false;
    std::string deployment;
};

/// The image operation a path names: /v1/images/{generations,edits,variations}, or Azure's
/// /openai/deployments/{name}/images/{generations,edits}. nullopt for any other path.
std::optional<route> match_route(const std::string& path);

/// The operation's path segment ("generations", "edits", "variations"), for messages.
std::string_view op_name(operation op);

} // namespace openai::emulator
