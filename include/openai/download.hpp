/// Downloading result URLs (`image::url`, what DALL-E models return with response_format=url) to
/// files, through a client: see `client::download` in <openai/client.hpp>.
#pragma once

#include <openai/client_config.hpp>
#include <openai/detail/awaitable_fix.hpp>
#include <openai/detail/initiate.hpp>
#include <openai/request_error.hpp>
#include <openai/response_metadata.hpp>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>

namespace openai {

/// What a finished download wrote.
struct download_result {
    std::filesystem::path path; ///< the file, complete
    std::uint64_t size = 0;     ///< bytes written
    std::string content_type;   ///< as the server sent it (e.g. "image/png")
    response_metadata meta{};   ///< status, x-request-id, attempts
};

} // namespace openai

/// `co_await client.download(url, path)` with the default `asio::deferred` token.
OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(openai::download_result)

namespace openai {
namespace detail {

class client_impl;

/// Compiled entry point (src/api/download.cpp).
void start_download(std::shared_ptr<client_impl> client, std::string url,
                    std::filesystem::path path, request_options options,
                    operation_handler<download_result> handler);

} // namespace detail
} // namespace openai
