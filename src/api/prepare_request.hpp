// Checking and encoding one images call into a request ready to send, shared by the unary calls
// and the stream openings.
#pragma once

#include "api/client_impl.hpp"
#include "api/exchange.hpp"

#include <openai/images.hpp>
#include <openai/request_error.hpp>

namespace openai::detail {

// Validates (when the client asks for it) and encodes `call` into `out`. Returns a filled
// error_info when the call must not be sent. `streaming`: the call opens an event stream, so its
// `stream` member must be true (the caller sets it); otherwise stream=true is refused.
// The call's options add their escape hatches: extra_body (merged into the body, a collision
// with a field the library sets refused unless extra_body_override) and extra_query.
error_info prepare(const client_impl& client, const images_call& call, bool streaming,
                   const request_options& options, prepared_request& out);
error_info prepare(const client_impl& client, const images_call& call, bool streaming,
                   prepared_request& out);

} // namespace openai::detail
