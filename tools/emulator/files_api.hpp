// The Files API: POST /v1/files (multipart upload), GET /v1/files (list), GET and DELETE
// /v1/files/{id}, and GET /v1/files/{id}/content (the bytes, written from the stored pieces).
#pragma once

#include "emulator/handler.hpp"
#include "emulator/routing.hpp"

#include <string_view>

namespace openai::emulator {

/// Is this a Files API path? (Not /v1/files/img-...: the URL results of response_format=url.)
bool is_files_path(std::string_view path);

/// Answers an authenticated request to a Files API path.
reply files_api(const received_request& req, const target_parts& t, emulator_state& state);

/// The multipart limits of an upload (the files' bytes kept, up to the API's 512 MB).
form_limits upload_limits();

} // namespace openai::emulator
