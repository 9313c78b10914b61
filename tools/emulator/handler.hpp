// The emulator's request handling, without sockets: faults, request checks, images, and the reply
// (unary JSON or an event stream) with the API's headers, over routing (routing.hpp),
// authentication (authentication.hpp) and introspection (introspection.hpp).
// The server reads a request into a `received_request`, calls `handle_request`, and writes the
// `wire_plan` of the result.
#pragma once

#include "emulator/batch_store.hpp"
#include "emulator/fault.hpp"
#include "emulator/file_store.hpp"
#include "emulator/image_source.hpp"
#include "emulator/options.hpp"
#include "emulator/rate_limit.hpp"
#include "emulator/reply.hpp"
#include "emulator/request_log.hpp"
#include "emulator/upload.hpp"
#include "emulator/url_store.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openai::emulator {

struct received_request {
    std::string method;
    std::string target; // path and query as received
    /// Header names in lowercase, in order (duplicates kept).
    std::vector<std::pair<std::string, std::string>> headers;

    enum class body_kind { none, json, multipart, other };
    body_kind kind = body_kind::none;
    std::string json_text; // body_kind::json
    received_form form;    // body_kind::multipart
    std::uint64_t body_size = 0;
    /// Set when the server could not take the body (too large ...): answered as a 400/413.
    std::string body_error;
    unsigned body_error_status = 400;

    /// The first value of a header (name in lowercase), or nullptr.
    const std::string* header(std::string_view name) const;
};

/// Everything the handlers share. Thread-safe: the members lock for themselves.
struct emulator_state {
    emulator_state(options o, image_source images);

    options opts;
    image_source images;
    fault_book faults;
    request_log log;
    server_stats stats;
    url_store urls;
    rate_limits limits;
    /// The Files and Batch APIs (in memory, for the life of the process).
    file_store files;
    batch_store batches;
    /// "http" or "https", and the port actually bound: for URLs when a request has no Host.
    std::string scheme = "http";
    std::uint16_t port = 0;

    /// A fresh `req_...` id.
    std::string next_request_id();

private:
    std::atomic<std::uint64_t> request_counter_{0};
    std::uint64_t id_salt_;
};

struct handled {
    reply r;
    /// The fault that fired, for make_wire_plan.
    std::optional<fault_spec> fault;
};

/// How the server should read a request's body, decided from its head.
struct body_policy {
    received_request::body_kind kind = received_request::body_kind::none;
    /// Does handling need real work (image synthesis)? Then the server runs it off the I/O
    /// threads.
    bool heavy = false;
    /// A Files API upload: keep the file parts' bytes (upload_limits in files_api.hpp).
    bool keep_files = false;
};

/// Decides from method, target and Content-Type how to read the body.
body_policy classify(std::string_view method, std::string_view target,
                     std::string_view content_type);

/// Handles one request. Never throws for bad input: every failure is an API error reply.
handled handle_request(const received_request& req, emulator_state& state);

/// Runs one request of a batch (its endpoint and JSON body) through the image endpoints' checks
/// and synthesis, as the Batch API does. Heavy: call it off the I/O threads.
batch_line_result run_batch_request(const std::string& endpoint, const boost::json::value& body,
                                    emulator_state& state);

/// Percent-decodes a query component ('+' as space).
std::string url_decode(std::string_view s);

} // namespace openai::emulator
