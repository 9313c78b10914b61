#include "emulator/image_cache.hpp"

#include "codec/base64.hpp"

#include <functional>

namespace openai::emulator {

struct image_cache::entry {
    // Serialises synthesis and base64 encoding of this one spec.
    std::mutex mutex;
    cached_image image;
    // Guarded by the cache's mutex.
    std::size_t charged = 0;
    std::list<const image_spec*>::iterator lru;
};

std::size_t image_spec_hash::operator()(const image_spec& spec) const noexcept {
    std::size_t h = std::hash<std::string>{}(spec.prompt);
    auto mix = [&h](std::uint64_t v) {
        h ^= std::hash<std::uint64_t>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    };
    mix(spec.width);
    mix(spec.height);
    mix(static_cast<std::uint64_t>(spec.format));
    mix(spec.transparent);
    mix(static_cast<std::uint64_t>(spec.compression));
    mix(spec.index);
    mix(spec.partial_index);
    mix(spec.partial_count);
    mix(spec.payload_bytes);
    return h;
}

image_cache::image_cache(std::size_t max_bytes)
    : max_bytes_(max_bytes) {}

std::shared_ptr<image_cache::entry> image_cache::acquire(const image_spec& spec) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = map_.try_emplace(spec);
    if (inserted) {
        ++misses_;
        it->second = std::make_shared<entry>();
        lru_.push_front(&it->first);
        it->second->lru = lru_.begin();
    } else {
        ++hits_;
        lru_.splice(lru_.begin(), lru_, it->second->lru);
    }
    return it->second;
}

void image_cache::charge(const image_spec& spec, const std::shared_ptr<entry>& e,
                         std::size_t added) {
    std::lock_guard lock(mutex_);
    const auto it = map_.find(spec);
    if (it == map_.end() || it->second != e)
        return; // evicted meanwhile: nothing held on its behalf
    e->charged += added;
    total_ += added;
    evict_locked(e.get());
}

void image_cache::forget(const image_spec& spec, const std::shared_ptr<entry>& e) {
    std::lock_guard lock(mutex_);
    const auto it = map_.find(spec);
    if (it == map_.end() || it->second != e)
        return;
    total_ -= e->charged;
    lru_.erase(e->lru);
    map_.erase(it);
}

void image_cache::evict_locked(const entry* keep) {
    while (total_ > max_bytes_ && !lru_.empty()) {
        const image_spec* victim = lru_.back();
        const auto it = map_.find(*victim);
        if (it->second.get() == keep)
            break; // only the entry in use is left beyond it: keep that one
        total_ -= it->second->charged;
        lru_.pop_back();
        map_.erase(it);
    }
}

cached_image image_cache::get(const image_spec& spec, bool want_base64) {
    auto e = acquire(spec);
    std::size_t added = 0;
    cached_image result;
    {
        std::lock_guard lock(e->mutex);
        if (!e->image.bytes) {
            try {
                auto img = synthesize(spec);
                e->image.format = img.format;
                e->image.width = img.width;
                e->image.height = img.height;
                e->image.bytes = std::make_shared<const std::string>(std::move(img.bytes));
            } catch (...) {
                forget(spec, e);
                throw;
            }
            added += e->image.bytes->size();
        }
        if (want_base64 && !e->image.base64) {
            e->image.base64 =
                std::make_shared<const std::string>(codec::base64_encode(*e->image.bytes));
            added += e->image.base64->size();
        }
        result = e->image;
    }
    if (!want_base64)
        result.base64.reset();
    if (added != 0)
        charge(spec, e, added);
    return result;
}

std::shared_ptr<const std::string> image_cache::bytes(const image_spec& spec) {
    return get(spec).bytes;
}

std::shared_ptr<const std::string> image_cache::base64(const image_spec& spec) {
    return get(spec, true).base64;
}

image_cache_stats image_cache::stats() const {
    std::lock_guard lock(mutex_);
    return {hits_, misses_, map_.size(), total_};
}

void image_cache::clear() {
    std::lock_guard lock(mutex_);
    map_.clear();
    lru_.clear();
    total_ = 0;
}

} // namespace openai::emulator
