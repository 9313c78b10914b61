#include "codec/multipart.hpp"

#include <openai/error.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <system_error>

namespace openai::codec {

struct multipart_body::state {
    // Literal bytes (boundaries, headers, CRLFs) or the contents of one file part.
    struct segment {
        std::string text;
        std::optional<std::size_t> file; // index into sources and files when set
    };
    struct source {
        std::filesystem::path path;                // when memory is null
        std::shared_ptr<const std::string> memory; // bytes in memory
    };

    std::shared_ptr<const multipart_file_system> file_system; // for the sources with a path
    std::string boundary;
    std::uint64_t length = 0;
    std::vector<segment> segments;
    std::vector<source> sources;
    std::vector<multipart_file_info> files;
};

namespace {

// Names and values in messages: control characters and quotes made visible, long ones shortened.
std::string printable(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' || c == '\\')
            (out += '\\') += static_cast<char>(c);
        else if (c < 0x20 || c == 0x7f)
            ((out += "\\x") += hex[c >> 4]) += hex[c & 15];
        else
            out += static_cast<char>(c);
    }
    if (s.size() > 200)
        out += "...";
    return out += '"';
}

// Why a name cannot go into a quoted Content-Disposition parameter, or nullptr. Control
// characters would break the header (CR, LF: header injection; NUL: truncation in C servers);
// a quote would end the parameter early; a backslash is an escape in quoted strings.
const char* name_problem(std::string_view s, bool allow_backslash) noexcept {
    if (s.empty())
        return "is empty";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\r')
            return "contains CR";
        if (c == '\n')
            return "contains LF";
        if (c == 0)
            return "contains NUL";
        if (c < 0x20 || c == 0x7f)
            return "contains a control character";
        if (c == '"')
            return "contains a double quote";
        if (c == '\\' && !allow_backslash)
            return "contains a backslash";
    }
    return nullptr;
}

bool has_control_character(std::string_view s) noexcept {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7f;
    });
}

// The last component of a path written with either separator: only it is sent, so that a
// caller's directory layout never leaks to the server.
std::string_view basename_of(std::string_view s) noexcept {
    const auto slash = s.find_last_of("/\\");
    return slash == std::string_view::npos ? s : s.substr(slash + 1);
}

bool valid_boundary(std::string_view b) noexcept {
    if (b.empty() || b.size() > 70)
        return false;
    return std::all_of(b.begin(), b.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

std::string random_boundary() {
    // Not a secret, only unlikely to occur in content: a per-thread generator seeded once.
    thread_local std::mt19937_64 rng = [] {
        std::seed_seq seq{static_cast<std::uint64_t>(
            std::chrono::steady_clock::now().time_since_epoch().count())};
        try {
            std::random_device rd;
            std::seed_seq strong{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
            return std::mt19937_64(strong);
        } catch (...) {
            return std::mt19937_64(seq);
        }
    }();
    static constexpr std::string_view chars =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string b = "openai-images-";
    for (int i = 0; i < 32; ++i)
        b += chars[rng() % chars.size()];
    return b;
}

// A part's delimiter and the start of its Content-Disposition, up to the open quote after the
// name: fields and files continue differently (a file adds its filename and Content-Type).
void begin_part(std::string& text, std::string_view delimiter, std::string_view name) {
    text += delimiter;
    text += "Content-Disposition: form-data; name=\"";
    text += name;
}

std::string hex_bytes(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < 8; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (i)
            out += ' ';
        (out += hex[c >> 4]) += hex[c & 15];
    }
    return out.empty() ? "none, the file is empty" : out;
}

} // namespace

multipart_body multipart_body::make(std::vector<multipart_field> fields,
                                    std::vector<multipart_file> files,
                                    boost::system::error_code& ec, std::string& error_message) {
    return make(std::move(fields), std::move(files), multipart_options{}, ec, error_message);
}

multipart_body multipart_body::make(std::vector<multipart_field> fields,
                                    std::vector<multipart_file> files,
                                    const multipart_options& options, boost::system::error_code& ec,
                                    std::string& error_message) {
    ec = {};
    error_message.clear();
    auto fail = [&](openai::errc e, std::string message) {
        ec = e;
        error_message = std::move(message);
        return multipart_body{};
    };

    for (const auto& f : fields) {
        if (const char* problem = name_problem(f.name, false))
            return fail(openai::errc::invalid_file_name,
                        "multipart field name " + printable(f.name) + " " + problem);
    }

    auto st = std::make_shared<state>();
    st->file_system = options.files;
    st->sources.reserve(files.size());
    st->files.reserve(files.size());
    for (auto& f : files) {
        if (const char* problem = name_problem(f.name, false))
            return fail(openai::errc::invalid_file_name,
                        "multipart file field name " + printable(f.name) + " " + problem);

        multipart_file_info info;
        info.name = f.name;
        state::source src;
        std::string head; // the first bytes, for the type and the dimensions
        std::string default_filename;

        if (auto* path = std::get_if<std::filesystem::path>(&f.source)) {
            info.origin = path->string();
            std::string why;
            if (!options.files)
                return fail(openai::errc::file_unreadable, "cannot read input file " +
                                                               printable(info.origin) +
                                                               ": no file access given");
            const auto size = options.files->regular_file_size(*path, why);
            if (!size)
                return fail(openai::errc::file_unreadable,
                            "cannot read input file " + printable(info.origin) + ": " + why);
            info.size = *size;
            const auto file = options.files->open(*path, why);
            if (!file)
                return fail(openai::errc::file_unreadable,
                            "cannot open input file " + printable(info.origin) + ": " + why);
            head.resize(image_dimensions_size);
            head.resize(file->read(head.data(), head.size(), why));
            if (!why.empty())
                return fail(openai::errc::file_unreadable,
                            "cannot read input file " + printable(info.origin) + ": " + why);
            default_filename = path->filename().string();
            src.path = *path;
        } else {
            auto& memory = std::get<std::shared_ptr<const std::string>>(f.source);
            if (!memory)
                return fail(openai::errc::invalid_request,
                            "multipart file " + printable(f.name) + " has no data");
            info.size = memory->size();
            head = memory->substr(0, image_dimensions_size);
            src.memory = memory;
        }

        info.type = sniff_image_type(head);
        info.png_size = png_dimensions(head);
        info.dimensions = image_dimensions(head);

        if (f.filename.empty() && default_filename.empty()) {
            // Bytes in memory without a name: the field name, made file-name-like, and the
            // type's extension ("image[]" -> "image.png").
            for (const char c : f.name)
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-')
                    default_filename += c;
            if (default_filename.empty())
                default_filename = "file";
            if (info.type)
                (default_filename += '.') += file_extension(*info.type);
        }
        const std::string_view given = f.filename.empty() ? default_filename : f.filename;
        info.filename = std::string(basename_of(given));
        if (info.origin.empty())
            info.origin = "<memory:" + info.filename + ">";
        if (const char* problem = name_problem(info.filename, true))
            return fail(openai::errc::invalid_file_name,
                        "filename " + printable(given) + " of multipart file " +
                            printable(info.origin) + " " + problem);

        if (f.content_type && !f.content_type->empty()) {
            if (has_control_character(*f.content_type))
                return fail(openai::errc::invalid_request,
                            "content type " + printable(*f.content_type) + " of file " +
                                printable(info.origin) + " contains a control character");
            info.content_type = *f.content_type;
        } else if (info.type) {
            info.content_type = std::string(mime_type(*info.type));
        } else {
            return fail(openai::errc::unsupported_image_type,
                        "input file " + printable(info.origin) +
                            " is not a PNG, JPEG or WebP image (first bytes: " +
                            hex_bytes(head.substr(0, image_sniff_size)) + ")");
        }

        st->sources.push_back(std::move(src));
        st->files.push_back(std::move(info));
    }

    // A boundary that occurs in no field value (RFC 2046 5.1.1). File contents are not scanned:
    // with about 190 random bits a collision is not a practical concern, and scanning would mean
    // reading every file once more.
    bool found = false;
    for (int attempt = 0; attempt < 16 && !found; ++attempt) {
        std::string candidate =
            options.boundary_generator ? options.boundary_generator() : random_boundary();
        if (!valid_boundary(candidate))
            return fail(openai::errc::invalid_request,
                        "multipart boundary " + printable(candidate) +
                            " is not 1 to 70 letters, digits, '-', '_' or '.'");
        found = std::none_of(fields.begin(), fields.end(), [&](const multipart_field& f) {
            return f.value.find(candidate) != std::string::npos;
        });
        if (found)
            st->boundary = std::move(candidate);
    }
    if (!found)
        return fail(openai::errc::invalid_request,
                    "no multipart boundary absent from the field values could be made");

    // Lay out the body: literal text between the file contents.
    const std::string delimiter = "--" + st->boundary + "\r\n";
    std::string text;
    for (const auto& f : fields) {
        begin_part(text, delimiter, f.name);
        text += "\"\r\n\r\n";
        text += f.value;
        text += "\r\n";
    }
    for (std::size_t i = 0; i < st->files.size(); ++i) {
        const auto& info = st->files[i];
        begin_part(text, delimiter, info.name);
        text += "\"; filename=\"";
        text += info.filename;
        text += "\"\r\nContent-Type: ";
        text += info.content_type;
        text += "\r\n\r\n";
        st->length += text.size();
        st->segments.push_back({std::move(text), std::nullopt});
        st->length += info.size;
        st->segments.push_back({std::string{}, i});
        text = "\r\n";
    }
    text += "--" + st->boundary + "--\r\n";
    st->length += text.size();
    st->segments.push_back({std::move(text), std::nullopt});

    multipart_body body;
    body.state_ = std::move(st);
    return body;
}

std::string multipart_body::content_type() const {
    return "multipart/form-data; boundary=" + std::string(boundary());
}

std::string_view multipart_body::boundary() const noexcept {
    return state_ ? std::string_view(state_->boundary) : std::string_view{};
}

std::uint64_t multipart_body::content_length() const noexcept {
    return state_ ? state_->length : 0;
}

const std::vector<multipart_file_info>& multipart_body::files() const noexcept {
    static const std::vector<multipart_file_info> none;
    return state_ ? state_->files : none;
}

multipart_body::reader multipart_body::open() const {
    reader r;
    r.state_ = state_;
    return r;
}

bool multipart_body::reader::done() const noexcept {
    return !state_ || segment_ == state_->segments.size();
}

bool multipart_body::reader::fail(boost::system::error_code& ec, boost::system::error_code what,
                                  std::string message) {
    error_ = what;
    ec = what;
    error_message_ = std::move(message);
    file_.reset();
    return false;
}

void multipart_body::reader::next_segment() noexcept {
    ++segment_;
    offset_ = 0;
}

bool multipart_body::reader::open_file(std::size_t source, boost::system::error_code& ec) {
    const auto& src = state_->sources[source];
    const auto& info = state_->files[source];
    std::string why;
    file_ = state_->file_system->open(src.path, why);
    if (!file_)
        return fail(ec, openai::errc::file_unreadable,
                    "cannot open input file " + printable(info.origin) + ": " + why);
    const auto size = file_->size(why);
    if (!size)
        return fail(ec, openai::errc::file_unreadable,
                    "cannot read input file " + printable(info.origin) + ": " + why);
    if (*size != info.size)
        return fail(ec, openai::errc::file_changed,
                    "input file " + printable(info.origin) +
                        " changed size: " + std::to_string(info.size) +
                        " bytes when the request was built, " + std::to_string(*size) + " now");
    return true;
}

std::size_t multipart_body::reader::read(char* buf, std::size_t size,
                                         boost::system::error_code& ec) {
    ec = {};
    if (error_) {
        ec = error_;
        return 0;
    }
    if (!state_)
        return 0;
    std::size_t n = 0;
    auto produced = [&](std::size_t k) {
        n += k;
        offset_ += k;
        position_ += k;
    };
    while (n < size && segment_ < state_->segments.size()) {
        const auto& seg = state_->segments[segment_];
        if (!seg.file) {
            const auto k = std::min<std::uint64_t>(size - n, seg.text.size() - offset_);
            std::memcpy(buf + n, seg.text.data() + offset_, static_cast<std::size_t>(k));
            produced(static_cast<std::size_t>(k));
            if (offset_ == seg.text.size())
                next_segment();
            continue;
        }
        const auto& src = state_->sources[*seg.file];
        const auto& info = state_->files[*seg.file];
        if (src.memory) {
            const auto k = std::min<std::uint64_t>(size - n, src.memory->size() - offset_);
            std::memcpy(buf + n, src.memory->data() + offset_, static_cast<std::size_t>(k));
            produced(static_cast<std::size_t>(k));
            if (offset_ == src.memory->size())
                next_segment();
            continue;
        }
        if (!file_ && !open_file(*seg.file, ec))
            return n;
        const auto want =
            static_cast<std::size_t>(std::min<std::uint64_t>(size - n, info.size - offset_));
        std::string why;
        if (want > 0) {
            const std::size_t got = file_->read(buf + n, want, why);
            produced(got);
            if (got < want) {
                if (!why.empty())
                    fail(ec, openai::errc::file_unreadable,
                         "cannot read input file " + printable(info.origin) + ": " + why);
                else
                    fail(ec, openai::errc::file_changed,
                         "input file " + printable(info.origin) + " changed size: ended after " +
                             std::to_string(offset_) + " of its " + std::to_string(info.size) +
                             " bytes");
                return n;
            }
        }
        if (offset_ == info.size) {
            // The announced length is fixed: a file that grew cannot be sent either.
            char extra = 0;
            if (file_->read(&extra, 1, why) != 0) {
                fail(ec, openai::errc::file_changed,
                     "input file " + printable(info.origin) + " changed size: longer than its " +
                         std::to_string(info.size) + " bytes");
                return n;
            }
            if (!why.empty()) {
                fail(ec, openai::errc::file_unreadable,
                     "cannot read input file " + printable(info.origin) + ": " + why);
                return n;
            }
            file_.reset();
            next_segment();
        }
    }
    return n;
}

} // namespace openai::codec
