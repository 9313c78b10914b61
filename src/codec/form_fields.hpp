// The text fields of the multipart requests (edits with uploaded files, variations): the wire
// names and the text form of their values, in both directions. The file parts (`image[]`,
// `mask`, `image`) are not fields: the multipart writer adds them from the request's image_file
// members. Reading fields back into a request (a server's view) is test code:
// test/support/request_from_fields.hpp.
#pragma once

#include <openai/json.hpp>
#include <openai/requests.hpp>

#include <string>
#include <vector>

namespace openai::codec {

struct form_field {
    std::string name;
    std::string value;

    friend bool operator==(const form_field&, const form_field&) = default;
};

/// The set text fields of an edit that the form carries (<openai/request_fields.hpp>), in the
/// table's order: prompt, model, n, size, quality, response_format, output_format,
/// output_compression, background, input_fidelity, stream, partial_images, user (`moderation`
/// is a JSON-body parameter only). Integers in decimal, booleans as "true"/"false".
std::vector<form_field> form_fields(const edit_request& req);

/// The set text fields of a variation: model, n, response_format, size, user.
std::vector<form_field> form_fields(const variation_request& req);

} // namespace openai::codec
