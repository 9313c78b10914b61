// A bounded, thread-safe cache of encoded images and their base64 text.
//
// The emulator answers each request from here, so that serving an image costs no encoding after
// the first time: the bytes (for file downloads) and the base64 text (for `b64_json`) are kept
// as shared immutable strings that responses reference without copying.
#pragma once

#include "emulator/image_synth.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace openai::emulator {

/// What the cache holds for one image_spec.
struct cached_image {
    std::shared_ptr<const std::string> bytes;
    /// The padded base64 of `bytes`; null unless it was asked for.
    std::shared_ptr<const std::string> base64;
    image_format format = image_format::png;
    /// The picture's size: the spec's, unless payload_bytes forced a smaller one.
    std::uint32_t width = 0;
    std::uint32_t height = 0;
};

struct image_cache_stats {
    std::uint64_t hits = 0;   // requests for a spec already present
    std::uint64_t misses = 0; // requests that had to synthesize
    std::size_t entries = 0;
    std::size_t bytes = 0; // encoded bytes plus base64 text held
};

struct image_spec_hash {
    std::size_t operator()(const image_spec& spec) const noexcept;
};

/// Keyed by every field of image_spec. Least recently used entries are dropped once the held
/// bytes exceed the budget (the entry just used is kept even when it alone exceeds it); strings
/// already handed out stay valid, since they are shared. All members are thread-safe; concurrent
/// first requests for one spec synthesize it once, requests for other specs do not wait for it.
class image_cache {
public:
    explicit image_cache(std::size_t max_bytes = std::size_t{512} << 20);

    image_cache(const image_cache&) = delete;
    image_cache& operator=(const image_cache&) = delete;

    /// The image for `spec`, synthesized on first use; with `want_base64` its base64 as well
    /// (encoded once, on first request). Throws what synthesize() throws (std::invalid_argument
    /// for an impossible spec); a failed spec is not cached.
    cached_image get(const image_spec& spec, bool want_base64 = false);

    /// get(spec).bytes
    std::shared_ptr<const std::string> bytes(const image_spec& spec);

    /// get(spec, true).base64
    std::shared_ptr<const std::string> base64(const image_spec& spec);

    image_cache_stats stats() const;

    /// Drops every entry (strings handed out stay valid).
    void clear();

    std::size_t max_bytes() const noexcept { return max_bytes_; }

private:
    struct entry;
    using map_type = std::unordered_map<image_spec, std::shared_ptr<entry>, image_spec_hash>;

    std::shared_ptr<entry> acquire(const image_spec& spec);
    void charge(const image_spec& spec, const std::shared_ptr<entry>& e, std::size_t added);
    void forget(const image_spec& spec, const std::shared_ptr<entry>& e);
    void evict_locked(const entry* keep);

    const std::size_t max_bytes_;
    mutable std::mutex mutex_;
    map_type map_;
    std::list<const image_spec*> lru_; // front: most recently used; points at map_'s keys
    std::size_t total_ = 0;
    std::uint64_t hits_ = 0;
    std::uint64_t misses_ = 0;
};

} // namespace openai::emulator
