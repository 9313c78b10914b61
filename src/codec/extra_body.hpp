// request_options::extra_body and extra_query (<openai/client_config.hpp>): merging the caller's
// extra members into a request body, and extra query parameters into its target. Pure functions.
#pragma once

#include "codec/form_fields.hpp"

#include <openai/validation.hpp>

#include <boost/json/object.hpp>

#include <string>
#include <utility>
#include <vector>

namespace openai::codec {

/// Merges `extra` into a JSON body. A member the body already has is refused (invalid_request,
/// param = its name) unless `override_fields`; "images" and "mask" (the inputs) are never
/// replaced. On failure `body` is left unchanged.
validation_error merge_extra_json(boost::json::object& body, const boost::json::object& extra,
                                  bool override_fields);

/// Adds `extra` to a multipart body's text fields: a string as it is, any other value as its JSON
/// text, null not at all. A field already present is refused unless `override_fields` (then its
/// value is replaced in place); the file part names ("image", "image[]", "mask") are always
/// refused. On failure `fields` is left unchanged.
validation_error merge_extra_form(std::vector<form_field>& fields, const boost::json::object& extra,
                                  bool override_fields);

/// "name=value&..." with every byte but RFC 3986's unreserved ones percent-encoded.
std::string encode_query(const std::vector<std::pair<std::string, std::string>>& params);

/// `target` with `query` appended after '?' (or '&' when it has a query already).
std::string append_query(std::string target, std::string_view query);

} // namespace openai::codec
