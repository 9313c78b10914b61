#include "emulator/generation_pace.hpp"

#include <algorithm>
#include <utility>

namespace openai::emulator {

latency_sampler::latency_sampler(const options& o, std::uint64_t seed)
    : jitter_(o.latency_jitter)
    , distribution_(o.latency_distribution)
    , rng_(seed) {}

std::chrono::milliseconds latency_sampler::draw(std::chrono::milliseconds base) {
    if (jitter_.count() <= 0)
        return base;
    const auto j = static_cast<double>(jitter_.count());
    double extra = 0;
    {
        std::lock_guard lock(mutex_);
        if (distribution_ == options::jitter_distribution::exponential)
            extra = std::min(std::exponential_distribution<double>(1.0 / j)(rng_), 50.0 * j);
        else
            extra = std::uniform_real_distribution<double>(0.0, j)(rng_);
    }
    return base + std::chrono::milliseconds(static_cast<std::int64_t>(extra + 0.5));
}

bool generation_slots::acquire(std::function<void()> wake) {
    if (capacity_ == 0)
        return true;
    std::lock_guard lock(mutex_);
    if (closed_)
        return true;
    if (active_ < capacity_) {
        ++active_;
        return true;
    }
    waiters_.push_back(std::move(wake));
    ++total_queued_;
    max_queued_ = std::max(max_queued_, waiters_.size());
    return false;
}

void generation_slots::release() {
    if (capacity_ == 0)
        return;
    std::function<void()> next;
    {
        std::lock_guard lock(mutex_);
        if (closed_)
            return;
        if (waiters_.empty()) {
            if (active_ > 0)
                --active_;
            return;
        }
        next = std::move(waiters_.front()); // the slot passes on: active_ stays
        waiters_.pop_front();
    }
    next();
}

void generation_slots::close() {
    std::deque<std::function<void()>> dropped;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        dropped.swap(waiters_);
    }
}

std::size_t generation_slots::active() const {
    std::lock_guard lock(mutex_);
    return active_;
}

std::size_t generation_slots::queued() const {
    std::lock_guard lock(mutex_);
    return waiters_.size();
}

std::size_t generation_slots::max_queued() const {
    std::lock_guard lock(mutex_);
    return max_queued_;
}

std::uint64_t generation_slots::total_queued() const {
    std::lock_guard lock(mutex_);
    return total_queued_;
}

} // namespace openai::emulator
