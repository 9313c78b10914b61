// Edits with uploaded files and variations go out as multipart/form-data: the request's text
// fields, then its files in the caller's order (`image` or `image[]` parts, then `mask`), read
// from disk while the body is written.
#pragma once

#include "codec/multipart.hpp"
#include "transport/body_source.hpp"

#include <openai/client_config.hpp>
#include <openai/request_error.hpp>
#include <openai/requests.hpp>
#include <openai/validation.hpp>

#include <memory>
#include <optional>

namespace openai::detail {

// A multipart body ready to send (and to send again on a retry: each pass re-reads the files).
class multipart_source final : public transport::body_source {
public:
    explicit multipart_source(codec::multipart_body body)
        : body_(std::move(body)) {}

    std::string content_type() const override { return body_.content_type(); }
    std::uint64_t size() const override { return body_.content_length(); }
    std::unique_ptr<transport::body_cursor> open(boost::system::error_code& ec,
                                                 std::string& what) const override;

    // What preparing the body learnt about each file (type, PNG size, size), in body order.
    const std::vector<codec::multipart_file_info>& files() const noexcept { return body_.files(); }

private:
    codec::multipart_body body_;
};

// The body, or null with `err` filled (unreadable file, unsupported image type, bad file name).
// Files are opened, sized and sniffed here, before any network traffic. With `rules` (the family
// of the model the request targets), the file rules of codec/upload_rules.hpp apply too
// (errc::invalid_request naming the parameter).
// `options` adds its extra_body as text fields (codec/extra_body.hpp).
std::shared_ptr<const multipart_source> make_multipart_source(const edit_request& req,
                                                              std::optional<model_family> rules,
                                                              error_info& err,
                                                              const request_options& options = {});
std::shared_ptr<const multipart_source> make_multipart_source(const variation_request& req,
                                                              std::optional<model_family> rules,
                                                              error_info& err,
                                                              const request_options& options = {});

// The error_info of a request refused before sending: the API's shape (`param`, type
// invalid_request_error) and a message naming the parameter.
error_info invalid_request_info(const validation_error& v);

} // namespace openai::detail
