// A Boost.JSON SAX handler that builds the DOM through `value_stack`, like boost::json::parser,
// but routes the image payload strings into a streaming base64 decoder instead.
#include "codec/json_document.hpp"

#include "codec/base64.hpp"

#include <openai/error.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace openai::codec {
namespace {

class capture_handler {
public:
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();

    capture_handler() = default;

    bool on_document_begin(boost::system::error_code&) {
        st_.reset();
        frames_.clear();
        blobs_.clear();
        dom_used_ = 0;
        return true;
    }
    bool on_document_end(boost::system::error_code&) { return true; }

    bool on_object_begin(boost::system::error_code& ec) {
        if (!charge(value_cost, ec))
            return false;
        value_start();
        frames_.push_back({});
        return true;
    }
    bool on_object_end(std::size_t n, boost::system::error_code&) {
        frames_.pop_back();
        st_.push_object(n);
        return true;
    }
    bool on_array_begin(boost::system::error_code& ec) {
        if (!charge(value_cost, ec))
            return false;
        value_start();
        frames_.push_back({.array = true});
        return true;
    }
    bool on_array_end(std::size_t n, boost::system::error_code&) {
        frames_.pop_back();
        st_.push_array(n);
        return true;
    }

    bool on_key_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        collect_key(s);
        st_.push_chars(s);
        return true;
    }
    bool on_key(boost::json::string_view s, std::size_t n, boost::system::error_code& ec) {
        if (!charge(n + value_cost, ec))
            return false;
        collect_key(s);
        if (!frames_.empty()) {
            auto& f = frames_.back();
            f.key_is_data = key_ok_ && key_ == "data";
            f.key_is_b64 = key_ok_ && key_ == "b64_json";
            const auto depth = frames_.size() - 1;
            f.key_is_root = key_ok_ && depth < root_.size() && key_ == root_[depth];
        }
        key_.clear();
        key_ok_ = true;
        st_.push_key(s);
        return true;
    }

    bool on_string_part(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        if (!in_string_)
            string_start();
        if (capturing_)
            feed(s);
        else
            st_.push_chars(s);
        return true;
    }
    bool on_string(boost::json::string_view s, std::size_t n, boost::system::error_code& ec) {
        if (!in_string_)
            string_start();
        in_string_ = false;
        if (!charge(capturing_ ? value_cost : n + value_cost, ec))
            return false;
        if (!capturing_) {
            st_.push_string(s);
            return true;
        }
        capturing_ = false;
        feed(s);
        if (!decoder_.failed() && !decoder_.finish(blob_))
            base64_failed();
        if (sink_ != nullptr) {
            hand_out();
            sink_->on_blob_end(!decoder_.failed());
        }
        auto& b = blobs_[blob_index_];
        b.bytes = std::move(blob_);
        b.error = std::move(blob_error_);
        blob_ = {};
        blob_error_ = {};
        st_.push_string({}); // keeps the member, and its type, in the DOM
        return true;
    }

    bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_int64(std::int64_t i, boost::json::string_view, boost::system::error_code& ec) {
        if (!charge(value_cost, ec))
            return false;
        value_start();
        st_.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, boost::json::string_view, boost::system::error_code& ec) {
        if (!charge(value_cost, ec))
            return false;
        value_start();
        st_.push_uint64(u);
        return true;
    }
    bool on_double(double d, boost::json::string_view, boost::system::error_code& ec) {
        if (!charge(value_cost, ec))
            return false;
        value_start();
        st_.push_double(d);
        return true;
    }
    bool on_bool(bool b, boost::system::error_code& ec) {
        if (!charge(value_cost, ec))
            return false;
        value_start();
        st_.push_bool(b);
        return true;
    }
    bool on_null(boost::system::error_code& ec) {
        if (!charge(value_cost, ec))
            return false;
        value_start();
        st_.push_null();
        return true;
    }
    bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

    // True while the parser stands inside a captured image string with nothing pending (the
    // caller checks that the last byte it gave the parser was a base64 character): the next
    // bytes may then go to the decoder directly, skipping the parser's per-byte validation.
    bool direct_capture_possible() const noexcept {
        return capturing_ && in_string_ && !direct_refused_ && !decoder_.failed();
    }

    // Decodes `run` (text up to the string's closing quote) directly. Returns false, with
    // nothing consumed, when it holds anything but base64: the parser then takes it (escapes,
    // invalid characters) exactly as it would have, and keeps the rest of this string.
    bool feed_direct(std::string_view run) {
        const auto saved_decoder = decoder_;
        const auto saved_size = blob_.size();
        if (blob_.empty())
            blob_.reserve(base64_decoded_size_upper_bound(run.size()));
        if (decoder_.feed(run, blob_)) {
            hand_out();
            return true;
        }
        decoder_ = saved_decoder;
        blob_.resize(saved_size);
        direct_refused_ = true;
        return false;
    }

    // The text's length when known, and the offset where the current parser slice starts: an
    // image string starting there can be no longer than the rest of the text.
    void set_text_position(std::uint64_t expected_size, unsigned expected_images,
                           std::uint64_t slice_offset) noexcept {
        expected_size_ = expected_size;
        expected_images_ = expected_images;
        slice_offset_ = slice_offset;
    }

    void set_sink(json_blob_sink* sink) noexcept { sink_ = sink; }

    // See json_document_parser::limit_dom.
    void set_dom_limit(std::uint64_t bytes) noexcept { dom_limit_ = bytes; }

    // Captures the images of the object at `keys` instead of the document's own (see
    // json_document_parser::capture_under).
    void set_root(std::vector<std::string> keys) {
        root_ = std::move(keys);
        max_key_ = 16;
        for (const auto& k : root_)
            max_key_ = std::max(max_key_, k.size());
    }

    json_document release() {
        json_document doc;
        doc.root = st_.release();
        doc.blobs = std::move(blobs_);
        return doc;
    }

private:
    struct frame {
        bool array = false;
        std::size_t count = 0; // elements begun so far (arrays)
        bool key_is_data = false;
        bool key_is_b64 = false;
        bool key_is_root = false; // the current key is the root path's key at this depth
    };

    // What a DOM value costs besides its text, roughly (boost::json::value and object slots).
    static constexpr std::uint64_t value_cost = 32;

    // Counts a completed value against the DOM limit. Only completed values and keys count, so
    // the point where the limit is crossed does not depend on how the text was split.
    bool charge(std::uint64_t n, boost::system::error_code& ec) {
        dom_used_ += n;
        if (dom_limit_ != 0 && dom_used_ > dom_limit_) {
            ec = make_error_code(errc::body_too_large);
            return false;
        }
        return true;
    }

    void value_start() {
        if (!frames_.empty() && frames_.back().array)
            ++frames_.back().count;
    }

    // Only the short keys "data" and "b64_json" (and the root path's) matter, and only near the
    // top.
    void collect_key(boost::json::string_view s) {
        if (frames_.size() > root_.size() + 3 || key_.size() + s.size() > max_key_)
            key_ok_ = false;
        else
            key_.append(s.data(), s.size());
    }

    void string_start() {
        in_string_ = true;
        value_start();
        const auto depth = root_.size();
        if (frames_.size() <= depth)
            return;
        for (std::size_t i = 0; i < depth; ++i)
            if (frames_[i].array || !frames_[i].key_is_root)
                return;
        const frame* f = frames_.data() + depth;
        const auto n = frames_.size() - depth;
        if (n == 1 && !f[0].array && f[0].key_is_b64) {
            blob_index_ = top_level_blob;
        } else if (n == 3 && !f[0].array && f[0].key_is_data && f[1].array && !f[2].array &&
                   f[2].key_is_b64) {
            blob_index_ = static_cast<std::int64_t>(f[1].count - 1);
        } else {
            return;
        }
        capturing_ = true;
        direct_refused_ = false;
        decoder_.reset();
        blob_.clear();
        if (sink_ != nullptr) {
            sink_->on_blob_begin(blob_index_);
            return; // the buffer holds one piece at a time: no reservation
        }
        if (expected_size_ > slice_offset_) {
            // The images of one response are alike in size: this one gets its share of what is
            // left, plus 1/16 for variation.
            const auto images_left = blob_index_ >= 0 && blob_index_ < expected_images_
                                         ? expected_images_ - blob_index_
                                         : 1;
            const auto share =
                (expected_size_ - slice_offset_) / static_cast<std::uint64_t>(images_left);
            blob_.reserve(base64_decoded_size_upper_bound(share + share / 16));
        }
    }

    void feed(boost::json::string_view s) {
        if (decoder_.failed())
            return; // the rest of a bad string is skipped
        // When the whole string arrives at once, size the output exactly once.
        if (blob_.empty())
            blob_.reserve(base64_decoded_size_upper_bound(s.size()));
        if (!decoder_.feed(std::string_view(s.data(), s.size()), blob_))
            base64_failed();
        else
            hand_out();
    }

    // With a sink, what was decoded goes to it; the buffer keeps its capacity for the next piece.
    void hand_out() {
        if (sink_ == nullptr || blob_.empty())
            return;
        sink_->on_blob_data(blob_);
        blob_.clear();
    }

    void base64_failed() {
        blob_error_ = "invalid base64: " + std::string(decoder_.error_reason()) + " at offset " +
                      std::to_string(decoder_.error_offset());
        blob_ = {}; // frees the partial bytes now
    }

    boost::json::value_stack st_;
    std::vector<frame> frames_;
    std::string key_;
    std::vector<std::string> root_; // keys from the document to the object whose images count
    std::size_t max_key_ = 16;
    json_blob_sink* sink_ = nullptr;
    std::uint64_t dom_limit_ = 0; // 0: none
    std::uint64_t dom_used_ = 0;
    bool key_ok_ = true;
    bool in_string_ = false;
    bool capturing_ = false;
    bool direct_refused_ = false; // this string holds something the parser must see
    std::uint64_t expected_size_ = 0;
    std::int64_t expected_images_ = 1;
    std::uint64_t slice_offset_ = 0;
    std::int64_t blob_index_ = 0;
    base64_decoder decoder_;
    std::string blob_;
    std::string blob_error_;
    std::map<std::int64_t, json_blob> blobs_;
};

boost::json::parse_options options() {
    boost::json::parse_options opt;
    opt.max_depth = 64;
    return opt;
}

// The parser is given at most this much at a time, so that once an image string starts, little
// of it goes through the parser's byte-by-byte string validation before the direct path takes
// over.
constexpr std::size_t parser_slice = 4096;

// The longest escape, "\uXXXX": a backslash further back than this no longer shapes the state.
constexpr std::size_t longest_escape = 6;

bool is_base64_char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
}

} // namespace

struct json_document_parser::impl {
    boost::json::basic_parser<capture_handler> parser{options()};
    std::uint64_t consumed = 0;
    bool failed = false;
    // The last byte given to the parser was a base64 character and no backslash came in the
    // last six: inside a captured string the parser then has no escape ("\u00" ends in
    // base64 characters) or multi-byte character pending, so bytes may bypass it.
    bool parser_between_base64 = false;
    std::size_t since_backslash = 0; // bytes given to the parser since its last backslash
    std::uint64_t expected_size = 0;
    unsigned expected_images = 1;
    std::uint64_t dom_limit = 0;
    json_failure failure;

    bool parse(std::string_view slice) {
        parser.handler().set_text_position(expected_size, expected_images, consumed);
        boost::system::error_code ec;
        const auto n = parser.write_some(true, slice.data(), slice.size(), ec);
        consumed += n;
        if (!ec && n < slice.size())
            ec = boost::json::error::extra_data;
        if (ec)
            return fail(ec);
        const auto backslash = slice.rfind('\\');
        since_backslash = backslash == std::string_view::npos ? since_backslash + slice.size()
                                                              : slice.size() - backslash - 1;
        parser_between_base64 = is_base64_char(slice.back()) && since_backslash >= longest_escape;
        return true;
    }

    bool fail(const boost::system::error_code& ec) {
        failed = true;
        if (ec == errc::body_too_large) {
            failure = {ec, "the JSON besides its images is over the limit of " +
                               std::to_string(dom_limit) + " bytes"};
            return false;
        }
        failure = {make_error_code(errc::invalid_json),
                   "invalid JSON at byte " + std::to_string(consumed) + ": " + ec.message()};
        return false;
    }
};

json_document_parser::json_document_parser()
    : impl_(std::make_unique<impl>()) {}
json_document_parser::~json_document_parser() = default;
json_document_parser::json_document_parser(json_document_parser&&) noexcept = default;
json_document_parser& json_document_parser::operator=(json_document_parser&&) noexcept = default;

void json_document_parser::capture_under(std::vector<std::string> keys) {
    impl_->parser.handler().set_root(std::move(keys));
}

void json_document_parser::stream_blobs(json_blob_sink* sink) noexcept {
    impl_->parser.handler().set_sink(sink);
}

void json_document_parser::limit_dom(std::uint64_t bytes) noexcept {
    impl_->dom_limit = bytes;
    impl_->parser.handler().set_dom_limit(bytes);
}

void json_document_parser::expect_size(std::uint64_t bytes, unsigned images) noexcept {
    impl_->expected_size = bytes;
    impl_->expected_images = images == 0 ? 1 : images;
}

bool json_document_parser::write(std::string_view piece) {
    auto& m = *impl_;
    if (m.failed)
        return false;
    while (!piece.empty()) {
        auto& handler = m.parser.handler();
        if (m.parser_between_base64 && handler.direct_capture_possible()) {
            // Image text runs to its closing quote; memchr finds that far faster than the
            // parser validates strings, and the decoder checks every character anyway.
            const void* quote = std::memchr(piece.data(), '"', piece.size());
            const auto run =
                quote ? static_cast<std::size_t>(static_cast<const char*>(quote) - piece.data())
                      : piece.size();
            if (run > 0 && handler.feed_direct(piece.substr(0, run))) {
                m.consumed += run;
                piece.remove_prefix(run);
                continue; // the parser still stands between base64 characters
            }
        }
        const auto slice = piece.substr(0, parser_slice);
        if (!m.parse(slice))
            return false;
        piece.remove_prefix(slice.size());
    }
    return true;
}

bool json_document_parser::finish() {
    auto& m = *impl_;
    if (m.failed)
        return false;
    boost::system::error_code ec;
    m.parser.write_some(false, nullptr, 0, ec);
    if (ec)
        return m.fail(ec);
    return true;
}

const json_failure& json_document_parser::failure() const noexcept {
    return impl_->failure;
}

json_document json_document_parser::release() {
    return impl_->parser.handler().release();
}

bool parse_json_document(std::string_view text, json_document& out, json_failure& failure) {
    json_document_parser p;
    if (!p.write(text) || !p.finish()) {
        failure = p.failure();
        return false;
    }
    out = p.release();
    return true;
}

} // namespace openai::codec
