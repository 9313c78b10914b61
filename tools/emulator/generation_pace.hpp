// How generations are paced: each one's latency (the fixed --latency-ms plus a random jitter),
// and the capacity limit (--max-concurrent-generations) that makes the rest queue, so that a
// load test sees queueing like a real service at capacity. Sans-I/O: the server waits the
// latency and resumes a queued request when its wake function is called.
#pragma once

#include "emulator/options.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <random>

namespace openai::emulator {

/// Draws generation latencies. Thread-safe.
class latency_sampler {
public:
    explicit latency_sampler(const options& o, std::uint64_t seed = std::random_device{}());

    /// `base` plus the jitter: uniform in [0, jitter], or exponential with mean `jitter` (capped
    /// at 50 x jitter, so that one draw cannot hold a test for hours). Never below `base`.
    std::chrono::milliseconds draw(std::chrono::milliseconds base);

private:
    std::chrono::milliseconds jitter_;
    options::jitter_distribution distribution_;
    std::mutex mutex_;
    std::mt19937_64 rng_;
};

/// A counting semaphore with a FIFO queue of wake functions. Thread-safe.
class generation_slots {
public:
    /// `capacity` 0: unlimited (acquire always succeeds).
    explicit generation_slots(std::size_t capacity)
        : capacity_(capacity) {}

    bool limited() const noexcept { return capacity_ != 0; }

    /// Takes a slot and returns true, or queues `wake` (called once, on the thread that frees a
    /// slot, outside the lock, the slot then already taken for the waiter) and returns false.
    /// After close(), returns true at once (shutdown: nothing waits).
    bool acquire(std::function<void()> wake);

    /// Frees a slot: hands it to the longest waiter (calling its wake) or returns it.
    void release();

    /// Drops every waiter without waking it (their functions are destroyed outside the lock) and
    /// makes later calls no-ops. For the server's shutdown.
    void close();

    std::size_t active() const;
    std::size_t queued() const;
    /// The most requests that ever waited at once, and how many waited at all.
    std::size_t max_queued() const;
    std::uint64_t total_queued() const;

private:
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::size_t active_ = 0;
    std::deque<std::function<void()>> waiters_;
    std::size_t max_queued_ = 0;
    std::uint64_t total_queued_ = 0;
    bool closed_ = false;
};

} // namespace openai::emulator
