// A request body that can be produced again from the start, so that a retry can resend it.
#pragma once

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace openai::transport {

// Pulls the next bytes of one pass over a body.
class body_cursor {
public:
    virtual ~body_cursor() = default;
    // Fills up to `size` bytes; returns 0 only at the end. Errors (a file that vanished or changed
    // size) are reported through ec with a message in `what`.
    virtual std::size_t read(char* data, std::size_t size, boost::system::error_code& ec,
                             std::string& what) = 0;
};

class body_source {
public:
    virtual ~body_source() = default;
    virtual std::string content_type() const = 0;
    virtual std::uint64_t size() const = 0;
    // Bodies held in memory expose them whole so they go out in one gather write.
    virtual const std::string* in_memory() const noexcept { return nullptr; }
    // A new pass from the beginning.
    virtual std::unique_ptr<body_cursor> open(boost::system::error_code& ec,
                                              std::string& what) const = 0;
};

// The common case: a JSON document.
class string_body final : public body_source {
public:
    string_body(std::string content_type, std::string data)
        : content_type_(std::move(content_type))
        , data_(std::move(data)) {}
    std::string content_type() const override { return content_type_; }
    std::uint64_t size() const override { return data_.size(); }
    const std::string* in_memory() const noexcept override { return &data_; }
    std::unique_ptr<body_cursor> open(boost::system::error_code&, std::string&) const override;

private:
    std::string content_type_;
    std::string data_;
};

} // namespace openai::transport
