// Images served by URL (`response_format=url`): kept in memory for a limited time, then 404,
// like the API's URLs that expire after an hour. Bounded: the oldest entries go first.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace openai::emulator {

class url_store {
public:
    using clock = std::chrono::steady_clock;

    struct entry {
        std::shared_ptr<const std::string> bytes;
        std::string content_type;
        clock::time_point expires;
    };

    url_store(std::chrono::milliseconds ttl, std::size_t capacity = 4096);

    /// Stores an image; returns its file name (`img-<hex>.<ext>`), the last path segment of its
    /// URL.
    std::string put(std::shared_ptr<const std::string> bytes, std::string_view extension,
                    std::string content_type, clock::time_point now);

    /// The image for a file name, or nullopt when unknown or expired.
    std::optional<entry> get(std::string_view file_name, clock::time_point now);

    std::chrono::milliseconds ttl() const noexcept { return ttl_; }

private:
    std::mutex mutex_;
    std::chrono::milliseconds ttl_;
    std::size_t capacity_;
    std::uint64_t counter_ = 0;
    std::uint64_t salt_;
    std::unordered_map<std::string, entry> entries_;
    std::deque<std::string> order_;
};

} // namespace openai::emulator
