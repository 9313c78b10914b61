// The Batch API output reader: LF-delimited lines, each parsed as it arrives by the same
// json_document_parser as unary responses, capturing the images of `response.body` so that their
// base64 is decoded on the way and never held. A line's text is never kept: only its DOM (without
// the image strings) and the decoded bytes.
#include "codec/http_head.hpp"
#include "codec/json_document.hpp"
#include "codec/json_read.hpp"

#include <openai/batch_output.hpp>
#include <openai/error.hpp>

#include <boost/json/value.hpp>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace openai {
namespace {

bool is_blank_byte(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r';
}

// A member, or null when absent or JSON null.
const boost::json::value* member(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v == nullptr || v->is_null() ? nullptr : v;
}

} // namespace

struct batch_output_reader::impl final : codec::json_blob_sink {
    batch_output_options options;
    std::optional<codec::json_document_parser> parser; // the current line's, once it has text
    std::uint64_t line = 1;                            // the current line's number
    std::uint64_t line_size = 0;                       // bytes of the current line so far
    std::uint64_t largest_line = 0; // of the decoded lines so far: sizes image buffers
    bool blank = true;              // the line has only blank bytes so far
    bool failed = false;            // the line is known bad: skip to its end
    bool too_long = false;          // ... for being over max_line_size
    boost::system::error_code fail_code;
    std::string fail_message;
    bool finished = false;
    std::optional<batch_result> result;
    batch_image_sink* sink = nullptr;
    batch_image_sink* line_sink = nullptr; // the sink when the current line started
    bool image_open = false; // the sink has begun an image of this line that has not ended

    explicit impl(batch_output_options o)
        : options(o) {}

    // ---- codec::json_blob_sink: images of response.body.data go on to the user's sink; the
    // body's own top-level b64_json (index -1, not part of an ImagesResponse) goes nowhere.
    void on_blob_begin(std::int64_t index) override {
        if (index < 0)
            return;
        image_open = true;
        line_sink->on_image_begin(line, static_cast<std::size_t>(index));
    }
    void on_blob_data(std::string_view bytes) override {
        if (image_open)
            line_sink->on_image_data(bytes);
    }
    void on_blob_end(bool ok) override {
        if (image_open) {
            image_open = false;
            line_sink->on_image_end(ok);
        }
    }
    // An image the line broke off inside ends incomplete.
    void close_image() {
        if (image_open) {
            image_open = false;
            line_sink->on_image_end(false);
        }
    }

    void fail_line(boost::system::error_code code, std::string message) {
        close_image();
        failed = true;
        fail_code = code;
        fail_message = std::move(message);
        parser.reset(); // frees the partial image now
    }

    // Bytes of the current line, none of them LF.
    void take(const char* p, const char* end) {
        const auto n = static_cast<std::uint64_t>(end - p);
        line_size += n;
        // A line over the limit fails so, whatever else was wrong with it first: the verdict
        // must not depend on where reads split the line.
        const auto limit = options.max_line_size;
        if (limit != 0 && line_size > limit) {
            if (too_long)
                return;
            too_long = true;
            fail_line(errc::body_too_large, "longer than the limit of " + std::to_string(limit) +
                                                " bytes (batch_output_options::max_line_size)");
            return;
        }
        if (failed)
            return;
        if (blank) {
            while (p != end && is_blank_byte(*p))
                ++p;
            if (p == end)
                return;
            blank = false;
            parser.emplace();
            parser->capture_under({"response", "body"});
            parser->limit_dom(options.max_line_json);
            line_sink = sink;
            if (line_sink != nullptr)
                parser->stream_blobs(this);
            // Lines of one file are alike: each image buffer is reserved once from the largest
            // line so far (pages never touched cost no memory), instead of growing by copies.
            if (largest_line != 0)
                parser->expect_size(largest_line, 1);
        }
        if (!parser->write(std::string_view(p, static_cast<std::size_t>(end - p))))
            fail_line(parser->failure().code, parser->failure().message);
    }

    // Ends the current line; `eof` when the input ended inside it (no LF).
    void end_line(bool eof) {
        const auto number = line;
        ++line;
        const auto size = line_size;
        line_size = 0;
        const bool was_blank = blank && !failed;
        blank = true;
        if (was_blank) {
            parser.reset();
            return;
        }
        batch_result r;
        r.line = number;
        if (failed) {
            failed = false;
            too_long = false;
            malformed(r, fail_code, std::move(fail_message));
        } else if (!parser->finish()) {
            close_image();
            if (eof && parser->failure().code == errc::invalid_json)
                malformed(r, errc::truncated_body,
                          "the input ended inside the line (" + parser->failure().message + ")");
            else
                malformed(r, parser->failure().code, parser->failure().message);
        } else {
            auto doc = parser->release();
            parser.reset();
            decode_line(r, doc);
            if (r.ok()) // not from garbage: each later image buffer is reserved from it
                largest_line = std::max(largest_line, size);
        }
        parser.reset();
        result = std::move(r);
    }

    // "line 7: " or, once the custom_id is known, "line 7 (custom_id \"a-1\"): ".
    static std::string prefix(const batch_result& r) {
        std::string out = "line " + std::to_string(r.line);
        if (!r.custom_id.empty())
            out += " (custom_id \"" + r.custom_id + "\")";
        out += ": ";
        return out;
    }

    void malformed(batch_result& r, boost::system::error_code code, std::string message) {
        r.kind = batch_result_kind::malformed;
        r.response.reset();
        r.error.code = code;
        r.error.message = prefix(r) + message;
        r.error.outcome = request_outcome::unknown;
    }

    void decode_line(batch_result& r, codec::json_document& doc) {
        if (!doc.root.is_object())
            return malformed(r, errc::json_type_mismatch,
                             "expected object, got " + std::string(codec::kind_name(doc.root)));
        const auto& o = doc.root.get_object();
        if (const auto* id = member(o, "id")) {
            if (!id->is_string())
                return malformed(r, errc::json_type_mismatch,
                                 "id: expected string, got " + std::string(codec::kind_name(*id)));
            r.id = id->get_string();
        }
        const auto* custom_id = member(o, "custom_id");
        if (custom_id == nullptr)
            return malformed(r, errc::json_type_mismatch, "custom_id: missing");
        if (!custom_id->is_string())
            return malformed(r, errc::json_type_mismatch,
                             "custom_id: expected string, got " +
                                 std::string(codec::kind_name(*custom_id)));
        r.custom_id = custom_id->get_string();

        if (const auto* response = member(o, "response"))
            return decode_response(r, *response, doc);
        if (const auto* error = member(o, "error"))
            return decode_batch_error(r, *error);
        return malformed(r, errc::json_type_mismatch, "neither response nor error");
    }

    void decode_response(batch_result& r, const boost::json::value& v, codec::json_document& doc) {
        if (!v.is_object())
            return malformed(r, errc::json_type_mismatch,
                             "response: expected object, got " + std::string(codec::kind_name(v)));
        const auto& o = v.get_object();
        const auto* status = member(o, "status_code");
        if (status == nullptr)
            return malformed(r, errc::json_type_mismatch, "response.status_code: missing");
        const auto* status_int = status->if_int64();
        if (status_int == nullptr || *status_int < 100 || *status_int > 999)
            return malformed(r, errc::json_type_mismatch,
                             "response.status_code: expected an HTTP status, got " +
                                 std::string(status->is_number() ? "another number"
                                                                 : codec::kind_name(*status)));
        r.error.http_status = static_cast<int>(*status_int);
        if (const auto* request_id = member(o, "request_id")) {
            if (!request_id->is_string())
                return malformed(r, errc::json_type_mismatch,
                                 "response.request_id: expected string, got " +
                                     std::string(codec::kind_name(*request_id)));
            r.error.request_id = request_id->get_string();
        }
        const auto* body = member(o, "body");
        const auto status_code = r.error.http_status;
        if (status_code >= 200 && status_code < 300) {
            if (body == nullptr)
                return malformed(r, errc::json_type_mismatch, "response.body: missing");
            decode_options opts;
            opts.keep_unknown_fields = options.keep_unknown_fields;
            auto decoded = codec::decode_images_response(*body, doc.blobs, opts);
            if (!decoded)
                return malformed(r, decoded.code, "response.body." + decoded.message);
            r.kind = batch_result_kind::response;
            r.response = std::move(decoded.value);
            r.response->meta.http_status = status_code;
            r.response->meta.request_id = std::move(r.error.request_id);
            r.error = {};
            return;
        }
        r.kind = batch_result_kind::api_error;
        r.error.code = codec::status_error(status_code);
        r.error.outcome = request_outcome::refused;
        std::string what = "HTTP " + std::to_string(status_code);
        if (body != nullptr && body->is_object() && member(body->get_object(), "error")) {
            // An error object of an odd shape leaves `api` unset: the line stays a refusal.
            if (auto err = decode_api_error(*body)) {
                r.error.api = std::move(err.value);
                if (r.error.api->message)
                    what += ": " + *r.error.api->message;
            }
        }
        r.error.message = prefix(r) + what;
    }

    void decode_batch_error(batch_result& r, const boost::json::value& v) {
        if (!v.is_object())
            return malformed(r, errc::json_type_mismatch,
                             "error: expected object, got " + std::string(codec::kind_name(v)));
        boost::json::object wrapper;
        wrapper["error"] = v;
        auto err = decode_api_error(boost::json::value(std::move(wrapper)));
        if (!err)
            return malformed(r, err.code, err.message);
        r.kind = batch_result_kind::batch_error;
        r.error.code = errc::api_error;
        r.error.outcome = request_outcome::not_sent;
        std::string what = "batch error";
        if (err.value.code)
            what += " " + *err.value.code;
        if (err.value.message)
            what += ": " + *err.value.message;
        r.error.api = std::move(err.value);
        r.error.message = prefix(r) + what;
    }
};

batch_output_reader::batch_output_reader(batch_output_options options)
    : impl_(std::make_unique<impl>(options)) {}
batch_output_reader::~batch_output_reader() = default;
batch_output_reader::batch_output_reader(batch_output_reader&&) noexcept = default;
batch_output_reader& batch_output_reader::operator=(batch_output_reader&&) noexcept = default;

std::size_t batch_output_reader::feed(std::string_view input, bool last) {
    auto& m = *impl_;
    if (m.result || m.finished)
        return 0;
    const char* const begin = input.data();
    const char* p = begin;
    const char* const end = begin + input.size();
    while (p != end) {
        const auto* lf = static_cast<const char*>(std::memchr(p, '\n', end - p));
        m.take(p, lf != nullptr ? lf : end);
        if (lf == nullptr) {
            p = end;
            break;
        }
        p = lf + 1;
        m.end_line(false);
        if (m.result) {
            if (p == end && last)
                m.finished = true;
            return static_cast<std::size_t>(p - begin);
        }
    }
    if (last) {
        m.finished = true;
        if (m.line_size != 0)
            m.end_line(true);
    }
    return static_cast<std::size_t>(p - begin);
}

bool batch_output_reader::has_result() const noexcept {
    return impl_->result.has_value();
}

batch_result batch_output_reader::take_result() {
    if (!impl_->result)
        return {};
    batch_result r = std::move(*impl_->result);
    impl_->result.reset();
    return r;
}

std::uint64_t batch_output_reader::lines() const noexcept {
    return impl_->line - 1;
}

bool batch_output_reader::finished() const noexcept {
    return impl_->finished;
}

const batch_output_options& batch_output_reader::options() const noexcept {
    return impl_->options;
}

void batch_output_reader::set_image_sink(batch_image_sink* sink) noexcept {
    impl_->sink = sink;
}

void batch_output_reader::reset() {
    impl_->close_image();
    auto fresh = std::make_unique<impl>(impl_->options);
    fresh->sink = impl_->sink;
    impl_ = std::move(fresh);
}

} // namespace openai
