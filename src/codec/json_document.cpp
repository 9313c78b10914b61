// A Boost.JSON SAX handler that builds the DOM through `value_stack`, like boost::json::parser,
// but routes the image payload strings into a streaming base64 decoder instead.
#include "codec/json_document.hpp"

#include "codec/base64.hpp"

#include <openai/error.hpp>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

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
        return true;
    }
    bool on_document_end(boost::system::error_code&) { return true; }

    bool on_object_begin(boost::system::error_code&) {
        value_start();
        frames_.push_back({});
        return true;
    }
    bool on_object_end(std::size_t n, boost::system::error_code&) {
        frames_.pop_back();
        st_.push_object(n);
        return true;
    }
    bool on_array_begin(boost::system::error_code&) {
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
    bool on_key(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        collect_key(s);
        if (!frames_.empty()) {
            frames_.back().key_is_data = key_ok_ && key_ == "data";
            frames_.back().key_is_b64 = key_ok_ && key_ == "b64_json";
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
    bool on_string(boost::json::string_view s, std::size_t, boost::system::error_code&) {
        if (!in_string_)
            string_start();
        in_string_ = false;
        if (!capturing_) {
            st_.push_string(s);
            return true;
        }
        capturing_ = false;
        feed(s);
        if (!decoder_.failed() && !decoder_.finish(blob_))
            base64_failed();
        auto& b = blobs_[blob_index_];
        b.bytes = std::move(blob_);
        b.error = std::move(blob_error_);
        blob_ = {};
        blob_error_ = {};
        st_.push_string({}); // keeps the member, and its type, in the DOM
        return true;
    }

    bool on_number_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_int64(std::int64_t i, boost::json::string_view, boost::system::error_code&) {
        value_start();
        st_.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, boost::json::string_view, boost::system::error_code&) {
        value_start();
        st_.push_uint64(u);
        return true;
    }
    bool on_double(double d, boost::json::string_view, boost::system::error_code&) {
        value_start();
        st_.push_double(d);
        return true;
    }
    bool on_bool(bool b, boost::system::error_code&) {
        value_start();
        st_.push_bool(b);
        return true;
    }
    bool on_null(boost::system::error_code&) {
        value_start();
        st_.push_null();
        return true;
    }
    bool on_comment_part(boost::json::string_view, boost::system::error_code&) { return true; }
    bool on_comment(boost::json::string_view, boost::system::error_code&) { return true; }

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
    };

    void value_start() {
        if (!frames_.empty() && frames_.back().array)
            ++frames_.back().count;
    }

    // Only the short keys "data" and "b64_json" matter, and only near the top.
    void collect_key(boost::json::string_view s) {
        if (frames_.size() > 3 || key_.size() + s.size() > 16)
            key_ok_ = false;
        else
            key_.append(s.data(), s.size());
    }

    void string_start() {
        in_string_ = true;
        value_start();
        if (frames_.size() == 1 && !frames_[0].array && frames_[0].key_is_b64) {
            blob_index_ = top_level_blob;
        } else if (frames_.size() == 3 && !frames_[0].array && frames_[0].key_is_data &&
                   frames_[1].array && !frames_[2].array && frames_[2].key_is_b64) {
            blob_index_ = static_cast<std::int64_t>(frames_[1].count - 1);
        } else {
            return;
        }
        capturing_ = true;
        decoder_.reset();
        blob_.clear();
    }

    void feed(boost::json::string_view s) {
        if (decoder_.failed())
            return; // the rest of a bad string is skipped
        // When the whole string arrives at once, size the output exactly once.
        if (blob_.empty())
            blob_.reserve(base64_decoded_size_upper_bound(s.size()));
        if (!decoder_.feed(std::string_view(s.data(), s.size()), blob_))
            base64_failed();
    }

    void base64_failed() {
        blob_error_ = "invalid base64: " + std::string(decoder_.error_reason()) + " at offset " +
                      std::to_string(decoder_.error_offset());
        blob_ = {}; // frees the partial bytes now
    }

    boost::json::value_stack st_;
    std::vector<frame> frames_;
    std::string key_;
    bool key_ok_ = true;
    bool in_string_ = false;
    bool capturing_ = false;
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

} // namespace

struct json_document_parser::impl {
    boost::json::basic_parser<capture_handler> parser{options()};
    std::uint64_t consumed = 0;
    bool failed = false;
    json_failure failure;

    bool fail(const boost::system::error_code& ec) {
        failed = true;
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

bool json_document_parser::write(std::string_view piece) {
    auto& m = *impl_;
    if (m.failed)
        return false;
    boost::system::error_code ec;
    const auto n = m.parser.write_some(true, piece.data(), piece.size(), ec);
    m.consumed += n;
    if (!ec && n < piece.size())
        ec = boost::json::error::extra_data;
    if (ec)
        return m.fail(ec);
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
