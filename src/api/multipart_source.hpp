// Edits with uploaded files and variations go out as multipart/form-data: the request's text
// fields, then its files in the caller's order (`image` or `image[]` parts, then `mask`), read
// from disk while the body is written.
#pragma once

#include "transport/body_source.hpp"

#include <openai/request_error.hpp>
#include <openai/requests.hpp>

#include <memory>

namespace openai::detail {

// The body, or null with `err` filled (unreadable file, unsupported image type, bad file name).
// Files are opened, sized and sniffed here, before any network traffic.
std::shared_ptr<const transport::body_source> make_multipart_source(const edit_request& req,
                                                                    error_info& err);
std::shared_ptr<const transport::body_source> make_multipart_source(const variation_request& req,
                                                                    error_info& err);

} // namespace openai::detail
