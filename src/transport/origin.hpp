// Where requests go: scheme, host and port (the pool key) and the base path from a base URL.
#pragma once

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace boost::urls {
class url_view;
} // namespace boost::urls

namespace openai::transport {

struct origin {
    bool tls = true;
    std::string host; // without brackets for IPv6 literals
    std::uint16_t port = 443;

    // "host:port" as the Host header wants it (IPv6 literals bracketed, default ports omitted).
    std::string host_header() const;
    // Distinct per scheme/host/port: the connection pool's key.
    std::string key() const;
    friend bool operator==(const origin&, const origin&) = default;
};

// A URL's port text as a number in 1..65535, or nullopt.
std::optional<std::uint16_t> parse_port(std::string_view text);

// What can be wrong with the origin part of a URL.
enum class origin_problem { none, scheme, user_info, no_host, port };

// Reads the scheme (http or https), host and port of an absolute URL into `out`. Returns what
// was wrong instead, for the caller to put in its own words; `out` is then unspecified.
origin_problem read_origin(const boost::urls::url_view& url, origin& out);

struct base_location {
    openai::transport::origin origin;
    std::string path;  // e.g. "/v1", never ending in '/'; "" for the root
    std::string query; // without '?', kept for every request (Azure's api-version lives here)
};

// Parses an http:// or https:// URL; anything else (other schemes, user info, fragments, no host)
// is refused with a message saying what was wrong.
std::optional<base_location> parse_base_url(std::string_view url, std::string& error);

} // namespace openai::transport
