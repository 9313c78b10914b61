// openai::latency_histogram: the bucket arithmetic (see the header for the layout).
#include <openai/latency_histogram.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace openai {

latency_histogram::latency_histogram(unsigned precision_bits)
    : bits_(precision_bits) {
    if (bits_ < 1 || bits_ > 16)
        throw std::invalid_argument("latency_histogram: precision_bits must be 1..16, not " +
                                    std::to_string(bits_));
}

std::size_t latency_histogram::bucket_index(std::uint64_t v) const noexcept {
    const std::uint64_t linear = std::uint64_t{1} << bits_;
    if (v < linear)
        return static_cast<std::size_t>(v);
    const unsigned k = 63u - static_cast<unsigned>(std::countl_zero(v)); // floor(log2 v) >= bits_
    const unsigned shift = k - bits_ + 1;                                // log2 of the width
    const std::uint64_t per_octave = linear / 2;
    return static_cast<std::size_t>(linear + (k - bits_) * per_octave +
                                    ((v - (std::uint64_t{1} << k)) >> shift));
}

std::uint64_t latency_histogram::bucket_lower(std::size_t index) const noexcept {
    const std::uint64_t linear = std::uint64_t{1} << bits_;
    if (index < linear)
        return index;
    const std::uint64_t per_octave = linear / 2;
    const std::uint64_t j = index - linear;
    const unsigned k = bits_ + static_cast<unsigned>(j / per_octave);
    const std::uint64_t m = j % per_octave;
    return (std::uint64_t{1} << k) + (m << (k - bits_ + 1));
}

std::uint64_t latency_histogram::bucket_upper(std::size_t index) const noexcept {
    const std::uint64_t linear = std::uint64_t{1} << bits_;
    if (index < linear)
        return index + 1;
    const std::uint64_t per_octave = linear / 2;
    const unsigned k = bits_ + static_cast<unsigned>((index - linear) / per_octave);
    const std::uint64_t lower = bucket_lower(index);
    const std::uint64_t width = std::uint64_t{1} << (k - bits_ + 1);
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    return lower > max - width ? max : lower + width; // the last bucket saturates
}

void latency_histogram::record(std::chrono::nanoseconds d, std::uint64_t count) noexcept {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    record_us(us < 0 ? 0 : static_cast<std::uint64_t>(us), count);
}

void latency_histogram::record_us(std::uint64_t value, std::uint64_t count) noexcept {
    if (count == 0)
        return;
    const std::size_t i = bucket_index(value);
    if (i >= counts_.size())
        counts_.resize(i + 1, 0); // grows to the largest value's bucket, then stays
    counts_[i] += count;
    if (count_ == 0 || value < min_)
        min_ = value;
    if (count_ == 0 || value > max_)
        max_ = value;
    count_ += count;
    sum_ += static_cast<double>(value) * static_cast<double>(count);
}

void latency_histogram::merge(const latency_histogram& other) {
    if (other.bits_ != bits_)
        throw std::invalid_argument("latency_histogram: cannot merge precision " +
                                    std::to_string(other.bits_) + " into precision " +
                                    std::to_string(bits_));
    if (other.count_ == 0)
        return;
    if (other.counts_.size() > counts_.size())
        counts_.resize(other.counts_.size(), 0);
    for (std::size_t i = 0; i < other.counts_.size(); ++i)
        counts_[i] += other.counts_[i];
    min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
    max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
    count_ += other.count_;
    sum_ += other.sum_;
}

void latency_histogram::clear() noexcept {
    counts_.clear();
    count_ = 0;
    min_ = max_ = 0;
    sum_ = 0;
}

double latency_histogram::relative_error() const noexcept {
    return std::ldexp(1.0, -static_cast<int>(bits_));
}

double latency_histogram::mean_us() const noexcept {
    return count_ ? sum_ / static_cast<double>(count_) : 0.0;
}

latency_histogram::duration latency_histogram::percentile(double q) const noexcept {
    if (count_ == 0)
        return duration(0);
    if (!(q < 100.0))
        return duration(max_);
    if (!(q > 0.0))
        q = 0.0;
    auto rank = static_cast<std::uint64_t>(std::ceil(q / 100.0 * static_cast<double>(count_)));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    // The extremes are known exactly: the first and last ranks need no bucket.
    if (rank == count_)
        return duration(static_cast<std::int64_t>(max_));
    if (rank == 1)
        return duration(static_cast<std::int64_t>(min_));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            const std::uint64_t lower = bucket_lower(i);
            const std::uint64_t upper = bucket_upper(i);
            const std::uint64_t mid = lower + (upper - lower) / 2;
            return duration(static_cast<std::int64_t>(std::clamp(mid, min_, max_)));
        }
    }
    return duration(static_cast<std::int64_t>(max_));
}

std::vector<latency_histogram::bucket> latency_histogram::buckets() const {
    std::vector<bucket> out;
    for (std::size_t i = 0; i < counts_.size(); ++i)
        if (counts_[i] != 0)
            out.push_back({bucket_lower(i), bucket_upper(i), counts_[i]});
    return out;
}

void latency_histogram::add_bucket(std::uint64_t lower_us, std::uint64_t count) noexcept {
    if (count == 0)
        return;
    const std::size_t i = bucket_index(lower_us);
    const std::uint64_t lo = bucket_lower(i);
    const std::uint64_t hi = bucket_upper(i) - 1;
    if (i >= counts_.size())
        counts_.resize(i + 1, 0);
    counts_[i] += count;
    if (count_ == 0 || lo < min_)
        min_ = lo;
    if (count_ == 0 || hi > max_)
        max_ = hi;
    count_ += count;
    // The middle of the bucket: the best estimate of the sum without the values.
    sum_ += (static_cast<double>(lo) + static_cast<double>(hi)) / 2.0 * static_cast<double>(count);
}

void latency_histogram::set_extremes(std::uint64_t min_us, std::uint64_t max_us,
                                     double sum_us) noexcept {
    min_ = min_us;
    max_ = max_us;
    sum_ = sum_us;
}

} // namespace openai
