#include "emulator/reply.hpp"

#include "emulator/api_errors.hpp"

#include <algorithm>
#include <ctime>

namespace openai::emulator {
namespace {

std::string_view eol_text(line_ending eol) {
    switch (eol) {
    case line_ending::crlf:
        return "\r\n";
    case line_ending::cr:
        return "\r";
    case line_ending::lf:
        break;
    }
    return "\n";
}

std::string hex(std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[n & 0xf]);
        n >>= 4;
    } while (n != 0);
    return out;
}

// Appends `payload` as one HTTP/1.1 chunk.
void add_chunk(byte_list& out, const byte_list& payload) {
    if (payload.empty())
        return;
    out.add(hex(payload.size()) + "\r\n");
    out.append(payload);
    out.add_static("\r\n");
}

// A JSON text cut short: the first half of it, so that it never parses.
byte_list malformed(const byte_list& json) {
    return json.prefix(std::max<std::size_t>(1, json.size() / 2));
}

constexpr std::string_view html_502_page =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
    "</html>\r\n";

} // namespace

std::string_view reason_phrase(unsigned status) noexcept {
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        break;
    }
    return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "Status";
}

std::string http_date(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buf, n);
}

byte_list frame_event(const sse_event& ev, line_ending eol) {
    std::string_view e = eol_text(eol);
    byte_list out;
    out.add("event: " + ev.name + std::string(e) + "data: ");
    out.append(ev.data);
    out.add(std::string(e) + std::string(e));
    return out;
}

void add_retry_headers(reply& r, const fault_spec& fault) {
    if (fault.retry_after)
        r.headers.emplace_back("retry-after", *fault.retry_after);
    if (fault.retry_after_ms)
        r.headers.emplace_back("retry-after-ms", std::to_string(*fault.retry_after_ms));
    if (fault.should_retry)
        r.headers.emplace_back("x-should-retry", *fault.should_retry ? "true" : "false");
}

std::optional<reply> fault_reply(const fault_spec& fault) {
    if (fault.close_without_response) {
        reply r;
        r.close = true;
        return r;
    }
    if (fault.html_502) {
        reply r;
        r.status = 502;
        r.content_type = "text/html";
        r.body.add_static(html_502_page);
        add_retry_headers(r, fault);
        return r;
    }
    if (fault.status) {
        reply r = to_reply(error_for_status(*fault.status));
        add_retry_headers(r, fault);
        return r;
    }
    return std::nullopt;
}

reply to_reply(const error_reply& e) {
    reply r;
    r.status = e.status;
    r.body.add(error_json(e));
    return r;
}

wire_plan make_wire_plan(const reply& r, const fault_spec* fault, bool keep_alive) {
    wire_plan plan;
    plan.close_after = r.close || !keep_alive;
    if (fault) {
        plan.max_write = fault->sse_split;
        plan.drip_bytes_per_s = fault->drip_bytes_per_s;
        plan.reset_after_bytes = fault->reset_after_bytes;
        if (fault->close_without_response) {
            plan.no_response = true;
            plan.close_after = true;
            return plan;
        }
    }
    bool truncate = fault && fault->truncate_body;
    bool cut = !r.stream && r.cut_body_after && *r.cut_body_after < r.body.size();
    if (truncate || cut)
        plan.close_after = true;

    std::string head;
    head.reserve(512);
    head += "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(reason_phrase(r.status)) +
            "\r\n";
    head += "date: " + http_date(std::chrono::system_clock::now()) + "\r\n";
    head += "content-type: " + r.content_type + "\r\n";
    for (const auto& [name, value] : r.headers)
        head += name + ": " + value + "\r\n";
    head += plan.close_after ? "connection: close\r\n" : "connection: keep-alive\r\n";

    wire_segment head_segment;
    head_segment.delay = r.latency + (fault ? fault->delay_headers : std::chrono::milliseconds{0});
    head_segment.body = false;

    if (!r.stream) {
        byte_list body = r.body;
        bool is_json = r.content_type.starts_with("application/json");
        if (fault && fault->malformed_json && r.status / 100 == 2 && is_json)
            body = malformed(body);
        std::size_t announced = body.size();
        if (truncate)
            announced += std::max<std::size_t>(16, body.size() / 2);
        if (cut)
            body = body.prefix(*r.cut_body_after);
        head += "content-length: " + std::to_string(announced) + "\r\n\r\n";
        head_segment.bytes.add(std::move(head));
        plan.segments.push_back(std::move(head_segment));
        if (!body.empty())
            plan.segments.push_back({std::chrono::milliseconds{0}, std::move(body), true});
        return plan;
    }

    head += "cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n";
    head_segment.bytes.add(std::move(head));
    plan.segments.push_back(std::move(head_segment));

    line_ending eol = fault ? fault->sse_line_ending : line_ending::lf;
    std::string_view e = eol_text(eol);
    std::optional<unsigned> error_after = fault ? fault->sse_error_after : std::nullopt;
    std::optional<unsigned> cut_after = fault ? fault->sse_cut_after : std::nullopt;
    unsigned partials = 0;
    bool first = true;
    for (const sse_event& ev : r.events) {
        if (error_after && (partials >= *error_after || !ev.partial)) {
            byte_list payload;
            if (fault->sse_comments)
                payload.add(": keep-alive" + std::string(e) + std::string(e));
            sse_event err{"error", {}, false};
            err.data.add(r.stream_error_json.empty() ? error_event_json(error_for_status(500))
                                                     : r.stream_error_json);
            payload.append(frame_event(err, eol));
            wire_segment seg{r.event_interval, {}, true};
            add_chunk(seg.bytes, payload);
            plan.segments.push_back(std::move(seg));
            break;
        }
        if (cut_after && (partials >= *cut_after || !ev.partial))
            break;
        byte_list payload;
        if (fault && fault->sse_comments)
            payload.add(": keep-alive" + std::string(e) + std::string(e));
        if (first && fault && fault->malformed_json) {
            sse_event broken{ev.name, malformed(ev.data), ev.partial};
            payload.append(frame_event(broken, eol));
        } else {
            payload.append(frame_event(ev, eol));
        }
        first = false;
        wire_segment seg{r.event_interval, {}, true};
        add_chunk(seg.bytes, payload);
        plan.segments.push_back(std::move(seg));
        if (ev.partial)
            ++partials;
    }
    if (!truncate) {
        wire_segment last{std::chrono::milliseconds{0}, {}, true};
        last.bytes.add_static("0\r\n\r\n");
        plan.segments.push_back(std::move(last));
    }
    return plan;
}

std::string wire_plan::flatten() const {
    std::string out;
    for (const auto& s : segments)
        out += s.bytes.flatten();
    return out;
}

} // namespace openai::emulator
