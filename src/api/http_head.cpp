#include "api/http_head.hpp"

#include "codec/ascii.hpp"

#include <openai/version.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace openai::detail {
namespace {

void set_header(header_list& list, std::string name, std::string value) {
    std::erase_if(list, [&](const header& h) { return codec::iequals(h.first, name); });
    list.emplace_back(std::move(name), std::move(value));
}

std::optional<std::int64_t> to_int(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

} // namespace

header_list standard_headers(const client_config& config, const request_options& options) {
    header_list list;
    list.emplace_back("User-Agent", std::string("openai-images-cpp/") + version_string());
    // Per-call credentials replace the configuration's (a tenant's key for this call only).
    const std::string& api_key = options.api_key ? *options.api_key : config.api_key;
    const std::string& organization =
        options.organization ? *options.organization : config.organization;
    const std::string& project = options.project ? *options.project : config.project;
    if (!api_key.empty()) {
        if (config.azure)
            list.emplace_back("api-key", api_key);
        else
            list.emplace_back("Authorization", "Bearer " + api_key);
    }
    if (!organization.empty())
        list.emplace_back("OpenAI-Organization", organization);
    if (!project.empty())
        list.emplace_back("OpenAI-Project", project);
    for (const auto& [name, value] : config.default_headers)
        set_header(list, name, value);
    for (const auto& [name, value] : options.extra_headers)
        set_header(list, name, value);
    return list;
}

header_list download_headers(const request_options& options) {
    header_list list;
    list.emplace_back("User-Agent", std::string("openai-images-cpp/") + version_string());
    for (const auto& [name, value] : options.extra_headers)
        set_header(list, name, value);
    return list;
}

void read_metadata(const boost::beast::http::fields& fields, int status, response_metadata& out) {
    out.http_status = status;
    out.request_id = std::string(fields["x-request-id"]);
    auto& rl = out.rate_limits;
    rl.limit_requests = to_int(fields["x-ratelimit-limit-requests"]);
    rl.remaining_requests = to_int(fields["x-ratelimit-remaining-requests"]);
    rl.reset_requests = std::string(fields["x-ratelimit-reset-requests"]);
    rl.limit_tokens = to_int(fields["x-ratelimit-limit-tokens"]);
    rl.remaining_tokens = to_int(fields["x-ratelimit-remaining-tokens"]);
    rl.reset_tokens = std::string(fields["x-ratelimit-reset-tokens"]);
}

} // namespace openai::detail
