// The text fields of the multipart requests (edits with uploaded files, variations): the wire
// names and the text form of their values, in both directions. The file parts (`image[]`,
// `mask`, `image`) are not fields: the multipart writer adds them from the request's image_file
// members, and a server adds them to the decoded request itself.
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

/// An edit's text fields read back (a server's view); the images and mask are left empty.
/// Unknown names are ignored; a later field of the same name replaces an earlier one. A value
/// that is not an integer or boolean where one is due fails with errc::invalid_request and a
/// message naming the field ("n: expected an integer, got \"two\"").
decode_result<edit_request> edit_request_from_fields(const std::vector<form_field>& fields);

/// A variation's text fields read back; the image is left empty.
decode_result<variation_request>
variation_request_from_fields(const std::vector<form_field>& fields);

} // namespace openai::codec
