// The headers an operation sends and reads: authentication, defaults and extras on the way out;
// request id and rate limits on the way back. Serializing a head is codec's (codec/http_head.hpp).
#pragma once

#include "codec/http_head.hpp"

#include <openai/client_config.hpp>
#include <openai/response_metadata.hpp>

#include <boost/beast/http/fields.hpp>

namespace openai::detail {

// The headers that authenticate and identify the client (a bearer token, or Azure's api-key; the
// call's credentials when it has its own, else the configuration's), then the configuration's
// defaults, then the call's extras (later entries replace earlier ones of the same name).
header_list standard_headers(const client_config& config, const request_options& options);

// The headers of a download from a result URL: User-Agent and the call's extras, never the
// credentials or the configuration's default headers (the URL's host is not the API's).
header_list download_headers(const request_options& options);

// x-request-id and the x-ratelimit-* headers of a response.
void read_metadata(const boost::beast::http::fields& fields, int status, response_metadata& out);

} // namespace openai::detail
