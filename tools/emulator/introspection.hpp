// Introspection: what the emulator tells about itself and what it received. The request log's
// record of a request (headers without credentials, a summary of the body), and the
// /v1/_emulator/ endpoints that serve it (stats, requests, requests/{id}).
#pragma once

#include "emulator/handler.hpp"
#include "emulator/routing.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>

namespace openai::emulator {

/// The request's headers for the log, credentials (Authorization, api-key, Cookie,
/// Proxy-Authorization) left out; repeated headers joined with ", ".
boost::json::object headers_json(const received_request& req);

/// The body as the log keeps it. `parsed`: the JSON body, null when it does not parse.
boost::json::value body_json(const received_request& req,
                             const std::optional<boost::json::value>& parsed);

/// Answers a request under /v1/_emulator/ (`t` is its target taken apart).
reply introspection(const target_parts& t, const received_request& req, emulator_state& state);

} // namespace openai::emulator
