// HTTP proxies: which proxy (if any) a request goes through, and the CONNECT request that opens a
// tunnel through it.
//
// How requests use a proxy:
// - https targets: a CONNECT tunnel to the origin (RFC 9110 section 9.3.6), then TLS with the
//   ORIGIN inside the tunnel (SNI and certificate verification name the origin, never the proxy);
// - http targets: the request goes to the proxy in absolute form ("POST http://host:port/path"),
//   which every HTTP proxy supports (CONNECT to ports other than 443 is often forbidden).
// Proxy credentials come from the proxy URL's user info and travel as `Proxy-Authorization:
// Basic ...` on the CONNECT request (https) or on each request (http); they never appear in
// messages. Only http:// proxies are supported (TLS to the proxy itself is not).
#pragma once

#include "transport/origin.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openai::transport {

struct proxy_endpoint {
    std::string host; // without brackets for IPv6 literals
    std::uint16_t port = 80;
    // "Basic <base64(user:password)>", or empty when the URL has no user info.
    std::string authorization;

    // "host:port" for messages (never the credentials).
    std::string display() const;
    friend bool operator==(const proxy_endpoint&, const proxy_endpoint&) = default;
};

// Parses a proxy URL: "http://[user[:password]@]host[:port][/]", or "host[:port]" without a
// scheme (taken as http). User and password are percent-decoded. Refuses other schemes (https,
// socks), paths, queries and fragments, with a message that never repeats the credentials.
std::optional<proxy_endpoint> parse_proxy_url(std::string_view url, std::string& error);

// The hosts that bypass the proxy: NO_PROXY's syntax as curl and Go read it. Comma- or
// space-separated entries, case-insensitive:
// - "*": every host;
// - "example.com" or ".example.com": that host and every subdomain;
// - "host:port": the same, on that port only ("[::1]:8080" for IPv6);
// - an IP literal ("127.0.0.1", "::1"): that address; a CIDR block ("10.0.0.0/8", "fd00::/8"):
//   every IP-literal host inside it. Host names are not resolved to be compared with addresses.
class no_proxy_list {
public:
    no_proxy_list() = default;
    explicit no_proxy_list(std::string_view spec);

    bool matches(std::string_view host, std::uint16_t port) const;
    bool empty() const noexcept { return !all_ && entries_.empty(); }

private:
    struct entry {
        std::string name;               // lower-case host or domain, no leading dot
        std::vector<unsigned char> net; // address bytes for IP and CIDR entries
        unsigned prefix = 0;            // CIDR prefix length in bits (full length for an IP)
        std::uint16_t port = 0;         // 0: any port
    };
    bool all_ = false;
    std::vector<entry> entries_;
};

// Where a connection goes: the origin it talks HTTP with, and the proxy it goes through.
struct route {
    origin target;
    std::optional<proxy_endpoint> proxy;

    // A CONNECT tunnel (https through a proxy).
    bool tunnel() const noexcept { return proxy && target.tls; }
    // Requests in absolute form to the proxy (http through a proxy).
    bool absolute_form() const noexcept { return proxy && !target.tls; }
    // The connection pool's key: distinct per origin and per proxy (credentials included, so a
    // tunnel opened with one identity never serves another).
    std::string key() const;
    friend bool operator==(const route&, const route&) = default;
};

// The request head that asks the proxy for a tunnel to `target`.
std::string connect_request(const origin& target, const proxy_endpoint& proxy);

// "http://host[:port]" of an origin, the prefix of absolute-form targets.
std::string absolute_prefix(const origin& target);

} // namespace openai::transport
