#include "emulator/multipart_parser.hpp"

#include "codec/ascii.hpp"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace openai::emulator {
namespace {

using codec::iequals;
using codec::is_ows;
using codec::to_lower;
using codec::trim;

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool is_token(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar);
}

// For messages: printable ASCII kept, the rest escaped, long values cut.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    std::size_t n = 0;
    for (unsigned char c : s) {
        if (++n > 64) {
            out += "...";
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out += static_cast<char>(c);
        } else {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out + "\"";
}

// A header value of the form `type *( OWS ";" OWS [ name "=" ( token / quoted-string ) ] )`
// (RFC 9110 parameters). Parameter names are lower-cased.
struct header_value {
    std::string_view type;
    std::vector<std::pair<std::string, std::string>> params;
};

bool parse_header_value(std::string_view v, header_value& out, std::string& error) {
    std::size_t i = 0;
    while (i < v.size() && v[i] != ';' && !is_ows(v[i]))
        ++i;
    out.type = v.substr(0, i);
    for (;;) {
        while (i < v.size() && is_ows(v[i]))
            ++i;
        if (i == v.size())
            return true;
        if (v[i] != ';') {
            error = "expected ';' before " + quoted(v.substr(i));
            return false;
        }
        ++i;
        while (i < v.size() && is_ows(v[i]))
            ++i;
        if (i == v.size() || v[i] == ';')
            continue; // an empty parameter
        const std::size_t name_start = i;
        while (i < v.size() && is_tchar(v[i]))
            ++i;
        const std::string_view name = v.substr(name_start, i - name_start);
        while (i < v.size() && is_ows(v[i]))
            ++i;
        if (name.empty() || i == v.size() || v[i] != '=') {
            error = "malformed parameter at " + quoted(v.substr(name_start));
            return false;
        }
        ++i;
        while (i < v.size() && is_ows(v[i]))
            ++i;
        std::string value;
        if (i < v.size() && v[i] == '"') {
            ++i;
            bool closed = false;
            while (i < v.size()) {
                const char c = v[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                // Backslash escapes only a quote or a backslash: browsers send Windows paths
                // ("C:\dir\a.png") with bare backslashes that must survive.
                if (c == '\\' && i < v.size() && (v[i] == '"' || v[i] == '\\')) {
                    value += v[i++];
                    continue;
                }
                value += c;
            }
            if (!closed) {
                error = "unterminated quoted value of parameter " + quoted(name);
                return false;
            }
        } else {
            const std::size_t value_start = i;
            while (i < v.size() && is_tchar(v[i]))
                ++i;
            value = v.substr(value_start, i - value_start);
            if (value.empty()) {
                error = "parameter " + quoted(name) + " has no value";
                return false;
            }
        }
        std::string key = to_lower(name);
        for (const auto& p : out.params)
            if (p.first == key) {
                error = "duplicate parameter " + quoted(key);
                return false;
            }
        out.params.emplace_back(std::move(key), std::move(value));
    }
}

const std::string* find_param(const header_value& h, std::string_view name) {
    for (const auto& p : h.params)
        if (p.first == name)
            return &p.second;
    return nullptr;
}

// RFC 5987 ext-value: charset "'" [ language ] "'" pct-encoded; UTF-8 and US-ASCII only.
bool decode_ext_value(std::string_view v, std::string& out, std::string& error) {
    const auto q1 = v.find('\'');
    const auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
    if (q2 == std::string_view::npos) {
        error = "filename* is not of the form charset'language'value";
        return false;
    }
    const auto charset = v.substr(0, q1);
    if (!iequals(charset, "utf-8") && !iequals(charset, "us-ascii")) {
        error = "filename* has unsupported charset " + quoted(charset);
        return false;
    }
    out.clear();
    for (std::size_t i = q2 + 1; i < v.size(); ++i) {
        if (v[i] != '%') {
            out += v[i];
            continue;
        }
        const int hi = i + 2 < v.size() ? codec::hex_value(v[i + 1]) : -1;
        const int lo = hi < 0 ? -1 : codec::hex_value(v[i + 2]);
        if (lo < 0) {
            error = "filename* has a malformed percent escape";
            return false;
        }
        const char c = static_cast<char>(hi << 4 | lo);
        if (c == '\0' || c == '\r' || c == '\n') {
            error = "filename* decodes to a control character";
            return false;
        }
        out += c;
        i += 2;
    }
    return true;
}

bool is_bchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("'()+_,-./:=? ", c) != nullptr && c != '\0';
}

} // namespace

std::optional<std::string> parse_multipart_boundary(std::string_view content_type,
                                                    std::string& error) {
    header_value h;
    std::string why;
    if (!parse_header_value(trim(content_type), h, why)) {
        error = "malformed Content-Type: " + why;
        return std::nullopt;
    }
    if (!iequals(h.type, "multipart/form-data")) {
        error = "Content-Type is " + quoted(h.type) + ", expected multipart/form-data";
        return std::nullopt;
    }
    const std::string* boundary = find_param(h, "boundary");
    if (boundary == nullptr) {
        error = "Content-Type multipart/form-data has no boundary parameter";
        return std::nullopt;
    }
    if (boundary->empty() || boundary->size() > 70 ||
        !std::all_of(boundary->begin(), boundary->end(), is_bchar) || boundary->back() == ' ') {
        error = "invalid multipart boundary " + quoted(*boundary) +
                " (RFC 2046: 1 to 70 characters of letters, digits and '()+_,-./:=? ', not "
                "ending in a space)";
        return std::nullopt;
    }
    return *boundary;
}

multipart_parser::multipart_parser(std::string boundary, multipart_sink& sink,
                                   multipart_limits limits)
    : delimiter_("\r\n--" + boundary)
    , sink_(sink)
    , limits_(limits) {
    // The first delimiter may open the body without a preceding CRLF: act as if one came first.
    held_ = "\r\n";
    // The delimiter search relies on the boundary holding no CR (RFC 2046 forbids it anyway).
    const std::string_view b = std::string_view(delimiter_).substr(4);
    if (b.empty() || b.size() > 70 || b.find_first_of("\r\n") != std::string_view::npos)
        fail("invalid multipart boundary " + quoted(b));
}

bool multipart_parser::feed(std::string_view bytes) {
    if (state_ == state::failed)
        return false;
    in_ = bytes;
    feed_size_ = bytes.size();
    try {
        run();
    } catch (const multipart_error& e) {
        fail(e.what());
    }
    offset_ += feed_size_;
    in_ = {};
    feed_size_ = 0;
    return state_ != state::failed;
}

void multipart_parser::fail(std::string message) {
    if (state_ == state::failed)
        return;
    state_ = state::failed;
    error_ = std::move(message);
}

void multipart_parser::fail_here(std::string message) {
    const std::uint64_t at = offset_ + (feed_size_ - in_.size());
    fail(std::move(message) + " (at byte " + std::to_string(at) + ")");
}

// "part 3" while its headers are read, "part 3 (name "image[]")" once they were; 1-based.
std::string multipart_parser::part_label() const {
    if (state_ == state::body)
        return "part " + std::to_string(part_.index + 1) + " (name " + quoted(part_.name) + ")";
    return "part " + std::to_string(parts_ + 1);
}

void multipart_parser::run() {
    while (!in_.empty() && state_ != state::failed) {
        switch (state_) {
        case state::preamble:
        case state::body:
            scan(in_);
            break;
        case state::epilogue:
            in_ = {};
            break;
        case state::headers:
        case state::headers_cr:
            header_byte(in_.front());
            if (state_ != state::failed)
                in_.remove_prefix(1);
            break;
        default: {
            const char c = in_.front();
            auto bad = [this] {
                fail_here("unexpected bytes after a boundary delimiter (it must be followed by "
                          "CRLF, or by \"--\" for the last one)");
            };
            switch (state_) {
            case state::after_boundary:
                if (c == '-')
                    state_ = state::after_first_dash;
                else if (is_ows(c))
                    state_ = state::padding;
                else if (c == '\r')
                    state_ = state::padding_cr;
                else
                    bad();
                break;
            case state::after_first_dash:
                if (c == '-')
                    state_ = state::epilogue;
                else
                    bad();
                break;
            case state::padding:
                if (c == '\r')
                    state_ = state::padding_cr;
                else if (!is_ows(c))
                    bad();
                break;
            case state::padding_cr:
                if (c == '\n') {
                    state_ = state::headers;
                    line_.clear();
                    header_lines_ = 0;
                    have_disposition_ = false;
                    have_content_type_ = false;
                    part_ = {};
                } else {
                    fail_here("a boundary line does not end with CRLF");
                }
                break;
            default:
                break;
            }
            if (state_ != state::failed)
                in_.remove_prefix(1);
            break;
        }
        }
    }
}

void multipart_parser::emit(std::string_view data) {
    if (data.empty())
        return;
    if (state_ == state::body) {
        sink_.on_part_data(data);
        return;
    }
    preamble_ += data.size();
    if (preamble_ > limits_.max_preamble + 2) // + the CRLF assumed before the body
        fail("no boundary delimiter " + quoted(std::string_view(delimiter_).substr(2)) +
             " within the first " + std::to_string(limits_.max_preamble) +
             " bytes of the body: not a multipart body with this boundary");
}

// Finds the delimiter. Bytes before it are part data (or preamble); a possible delimiter start
// at the end of the piece is held back until the next piece decides. The delimiter holds one CR
// only, at its start (boundaries cannot contain CR), so a failed partial match never hides
// another candidate inside the held bytes: each byte is compared a bounded number of times.
void multipart_parser::scan(std::string_view& in) {
    const std::string_view d = delimiter_;
    if (!held_.empty()) {
        const std::size_t need = d.size() - held_.size();
        const std::size_t n = std::min(need, in.size());
        if (in.compare(0, n, d.substr(held_.size(), n)) == 0) {
            in.remove_prefix(n);
            if (n == need) {
                held_.clear();
                on_delimiter();
            } else {
                held_.append(d.substr(held_.size(), n));
            }
            return;
        }
        const std::string flushed = std::move(held_);
        held_.clear();
        emit(flushed);
        if (state_ == state::failed)
            return;
    }
    const char* const begin = in.data();
    const char* const end = begin + in.size();
    const char* p = begin;
    for (;;) {
        const auto* cr = static_cast<const char*>(std::memchr(p, '\r', end - p));
        if (cr == nullptr) {
            in = {};
            emit(std::string_view(begin, end - begin));
            return;
        }
        const std::size_t n = std::min<std::size_t>(end - cr, d.size());
        if (std::memcmp(cr, d.data(), n) == 0) {
            in.remove_prefix(cr + n - begin);
            emit(std::string_view(begin, cr - begin));
            if (state_ == state::failed)
                return;
            if (n == d.size())
                on_delimiter();
            else
                held_.assign(cr, n);
            return;
        }
        p = cr + 1;
    }
}

void multipart_parser::on_delimiter() {
    if (state_ == state::body)
        sink_.on_part_end();
    seen_delimiter_ = true;
    state_ = state::after_boundary;
}

void multipart_parser::header_byte(char c) {
    if (state_ == state::headers_cr) {
        if (c != '\n') {
            fail_here("a CR not followed by LF in the headers of " + part_label());
            return;
        }
        state_ = state::headers;
        end_of_header_line();
        return;
    }
    if (c == '\r') {
        state_ = state::headers_cr;
        return;
    }
    if (c == '\n') {
        fail_here("a bare LF in the headers of " + part_label() + " (lines must end with CRLF)");
        return;
    }
    if (line_.size() >= limits_.max_header_line) {
        fail_here("a header line of " + part_label() + " is longer than " +
                  std::to_string(limits_.max_header_line) + " bytes");
        return;
    }
    line_ += c;
}

void multipart_parser::end_of_header_line() {
    if (line_.empty()) {
        end_of_headers();
        return;
    }
    if (++header_lines_ > limits_.max_header_lines) {
        fail_here(part_label() + " has more than " + std::to_string(limits_.max_header_lines) +
                  " header lines");
        return;
    }
    const std::string_view line = line_;
    if (is_ows(line.front())) {
        fail_here("folded (continued) header line in " + part_label());
        return;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
        fail_here("malformed header line in " + part_label() + ": " + quoted(line));
        return;
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    for (unsigned char c : value)
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            fail_here("a control character in header " + quoted(name) + " of " + part_label());
            return;
        }
    if (iequals(name, "content-disposition")) {
        if (have_disposition_) {
            fail_here(part_label() + " has two Content-Disposition headers");
            return;
        }
        have_disposition_ = true;
        header_value h;
        std::string why;
        if (!parse_header_value(value, h, why)) {
            fail_here("malformed Content-Disposition in " + part_label() + ": " + why);
            return;
        }
        if (!iequals(h.type, "form-data")) {
            fail_here("the Content-Disposition of " + part_label() + " is " + quoted(h.type) +
                      ", expected form-data");
            return;
        }
        const std::string* name_param = find_param(h, "name");
        if (name_param == nullptr || name_param->empty()) {
            fail_here("the Content-Disposition of " + part_label() + " has no name");
            return;
        }
        part_.name = *name_param;
        if (const std::string* ext = find_param(h, "filename*")) {
            std::string decoded;
            if (!decode_ext_value(*ext, decoded, why)) {
                fail_here("in " + part_label() + ": " + why);
                return;
            }
            part_.filename = std::move(decoded);
        } else if (const std::string* filename = find_param(h, "filename")) {
            part_.filename = *filename;
        }
    } else if (iequals(name, "content-type")) {
        if (have_content_type_) {
            fail_here(part_label() + " has two Content-Type headers");
            return;
        }
        if (value.empty()) {
            fail_here(part_label() + " has an empty Content-Type");
            return;
        }
        have_content_type_ = true;
        part_.content_type = value;
    }
    line_.clear();
}

void multipart_parser::end_of_headers() {
    if (!have_disposition_) {
        fail_here(part_label() + " has no Content-Disposition header");
        return;
    }
    if (parts_ >= limits_.max_parts) {
        fail_here("the body has more than " + std::to_string(limits_.max_parts) + " parts");
        return;
    }
    part_.index = parts_++;
    state_ = state::body;
    sink_.on_part_begin(part_);
}

bool multipart_parser::finish() {
    switch (state_) {
    case state::failed:
        return false;
    case state::epilogue:
        return true;
    case state::preamble:
        fail("no boundary delimiter " + quoted(std::string_view(delimiter_).substr(2)) +
             " in the body");
        return false;
    case state::body:
        fail("the body ends inside " + part_label() + ", without the final boundary " +
             quoted(delimiter_.substr(2) + "--"));
        return false;
    case state::headers:
    case state::headers_cr:
        fail("the body ends inside the headers of " + part_label() +
             ", without the final boundary " + quoted(delimiter_.substr(2) + "--"));
        return false;
    default:
        fail("the body ends after a boundary delimiter, without the final boundary " +
             quoted(delimiter_.substr(2) + "--"));
        return false;
    }
}

} // namespace openai::emulator
