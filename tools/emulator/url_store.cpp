#include "emulator/url_store.hpp"

#include <random>

namespace openai::emulator {

url_store::url_store(std::chrono::milliseconds ttl, std::size_t capacity)
    : ttl_(ttl)
    , capacity_(capacity)
    , salt_(std::random_device{}()) {}

std::string url_store::put(std::shared_ptr<const std::string> bytes, std::string_view extension,
                           std::string content_type, clock::time_point now) {
    std::lock_guard lock(mutex_);
    // Unguessable enough for a test server, and unique.
    std::uint64_t id = (++counter_ * 0x9e3779b97f4a7c15ull) ^ salt_;
    static constexpr char digits[] = "0123456789abcdef";
    std::string name = "img-";
    for (int shift = 60; shift >= 0; shift -= 4)
        name += digits[(id >> shift) & 0xf];
    name += std::to_string(counter_);
    name += '.';
    name += extension;
    entries_[name] = entry{std::move(bytes), std::move(content_type), now + ttl_};
    order_.push_back(name);
    while (order_.size() > capacity_) {
        entries_.erase(order_.front());
        order_.pop_front();
    }
    return name;
}

std::optional<url_store::entry> url_store::get(std::string_view file_name, clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(file_name));
    if (it == entries_.end() || now >= it->second.expires)
        return std::nullopt;
    return it->second;
}

} // namespace openai::emulator
