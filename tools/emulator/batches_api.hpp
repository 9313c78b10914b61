// The Batch API's HTTP side: POST /v1/batches (create), GET /v1/batches (list, `limit` and
// `after`), GET /v1/batches/{id}, POST /v1/batches/{id}/cancel. The lifecycle is batch_store's.
#pragma once

#include "emulator/handler.hpp"
#include "emulator/routing.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

namespace openai::emulator {

bool is_batches_path(std::string_view path);

/// Answers an authenticated request to a Batch API path. `body`: the parsed JSON body, if any.
/// `fault`: the fault that fired for the request (its `batch-*` items shape a created batch).
reply batches_api(const received_request& req, const target_parts& t, emulator_state& state,
                  const std::optional<boost::json::value>& body, const fault_spec* fault);

} // namespace openai::emulator
