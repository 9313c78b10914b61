#include "emulator/routing.hpp"

#include "codec/ascii.hpp"
#include "emulator/handler.hpp"

namespace openai::emulator {

target_parts split_target(std::string_view target) {
    target_parts t;
    auto q = target.find('?');
    t.path = std::string(target.substr(0, q));
    if (q == std::string_view::npos)
        return t;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view item = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        if (item.empty())
            continue;
        auto eq = item.find('=');
        t.query.emplace(url_decode(item.substr(0, eq)), eq == std::string_view::npos
                                                            ? std::string{}
                                                            : url_decode(item.substr(eq + 1)));
    }
    return t;
}

const std::string* query_value(const target_parts& t, const std::string& name) {
    auto it = t.query.find(name);
    return it == t.query.end() ? nullptr : &it->second;
}

std::optional<route> match_route(const std::string& path) {
    static constexpr std::string_view v1 = "/v1/images/";
    if (path.starts_with(v1)) {
        std::string_view rest = std::string_view(path).substr(v1.size());
        if (rest == "generations")
            return route{operation::generate, false, {}};
        if (rest == "edits")
            return route{operation::edit, false, {}};
        if (rest == "variations")
            return route{operation::variation, false, {}};
        return std::nullopt;
    }
    static constexpr std::string_view azure = "/openai/deployments/";
    if (path.starts_with(azure)) {
        std::string_view rest = std::string_view(path).substr(azure.size());
        auto slash = rest.find('/');
        if (slash == std::string_view::npos || slash == 0)
            return std::nullopt;
        route r{operation::generate, true, std::string(rest.substr(0, slash))};
        std::string_view op = rest.substr(slash);
        if (op == "/images/generations")
            r.op = operation::generate;
        else if (op == "/images/edits")
            r.op = operation::edit;
        else
            return std::nullopt;
        return r;
    }
    return std::nullopt;
}

std::string_view op_name(operation op) {
    switch (op) {
    case operation::edit:
        return "edits";
    case operation::variation:
        return "variations";
    case operation::generate:
        break;
    }
    return "generations";
}

std::string url_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%' && i + 2 < s.size() && codec::hex_value(s[i + 1]) >= 0 &&
                   codec::hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(codec::hex_value(s[i + 1]) * 16 + codec::hex_value(s[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

body_policy classify(std::string_view method, std::string_view target,
                     std::string_view content_type) {
    body_policy p;
    std::string ct = codec::to_lower(codec::trim(content_type.substr(0, content_type.find(';'))));
    if (ct == "application/json")
        p.kind = received_request::body_kind::json;
    else if (ct == "multipart/form-data")
        p.kind = received_request::body_kind::multipart;
    else
        p.kind = received_request::body_kind::other;
    auto path = target.substr(0, target.find('?'));
    p.heavy = method == "POST" && match_route(std::string(path)).has_value();
    p.keep_files = method == "POST" && path == "/v1/files";
    return p;
}

} // namespace openai::emulator
