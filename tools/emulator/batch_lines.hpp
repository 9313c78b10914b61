// The Batch API's JSONL files, sans-I/O: the input file read and checked line by line (the
// `errors.data` of a batch that fails validation, each naming its line), and the lines of the
// output and error files.
#pragma once

#include "emulator/byte_list.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::emulator {

/// One request of an input file: `{"custom_id","method":"POST","url","body"}`.
struct batch_request_line {
    std::size_t line = 0; // 1-based, as the API counts
    std::string custom_id;
    boost::json::value body;
};

/// A BatchError: `{code, message, param, line}`.
struct batch_line_error {
    std::string code;
    std::string message;
    std::optional<std::string> param;
    std::optional<std::size_t> line;
};

struct batch_input {
    std::vector<batch_request_line> requests;
    std::vector<batch_line_error> errors; // non-empty: the batch fails validation
};

/// Reads an input file for a batch whose endpoint is `endpoint`. Blank lines are skipped; every
/// other line must be a JSON object with a unique string `custom_id`, `method` "POST", `url`
/// equal to the endpoint and an object `body`. Every bad line is reported (not only the first).
batch_input parse_batch_input(std::string_view jsonl, std::string_view endpoint);

/// An output line for a request that ran: `{"id","custom_id","response":{"status_code",
/// "request_id","body"},"error":null}` and a newline. `body` (a JSON text) is shared, not copied.
byte_list batch_response_line(const std::string& id, const std::string& custom_id,
                              unsigned status_code, const std::string& request_id,
                              const byte_list& body);

/// An error-file line for a request that never ran: `{"id","custom_id","response":null,
/// "error":{"code","message"}}` and a newline.
std::string batch_error_line(const std::string& id, const std::string& custom_id,
                             std::string_view code, std::string_view message);

} // namespace openai::emulator
