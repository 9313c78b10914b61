/// openai::latency_histogram: a log-bucketed histogram of durations for load tests and dashboards.
///
///   openai::latency_histogram h;                       // 1 µs resolution, 0.78 % relative error
///   h.record(meta.times.completed - meta.times.started);
///   auto p99 = h.percentile(99.0);                     // std::chrono::microseconds
///   total.merge(h);                                    // add another run's (or machine's) buckets
///
/// The layout is HdrHistogram's log-linear one: values below 2^p microseconds each have a bucket
/// of their own; above that, every power of two [2^k, 2^(k+1)) is cut into 2^(p-1) equal buckets.
/// A bucket's width is never more than 2^-(p-1) of its lower bound, and a reported value is the
/// middle of its bucket (clamped to the recorded minimum and maximum), so a percentile is within
/// a relative error of 2^-p of a value actually recorded at that rank: 1/128 = 0.78 % for the
/// default p = 7 (see relative_error()). Recording is O(1) and allocation-free once
/// the buckets of the largest value exist; merging adds bucket counts, so histograms written by
/// different runs or machines with the same `precision_bits` combine exactly.
///
/// Sans-I/O and clock-free: durations in, numbers out. Not thread-safe (like a std::vector):
/// record from one thread, or one histogram per thread merged at the end.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace openai {

class latency_histogram {
public:
    using duration = std::chrono::microseconds;

    /// Bucket layout parameter p: 1..16 (default 7). Larger is finer and uses more memory
    /// (about 2^(p-1) counters per power of two of the largest value).
    static constexpr unsigned default_precision_bits = 7;

    explicit latency_histogram(unsigned precision_bits = default_precision_bits);

    /// Records one duration (negative durations count as 0; sub-microsecond parts are dropped).
    void record(std::chrono::nanoseconds d, std::uint64_t count = 1) noexcept;
    /// Records a value in microseconds.
    void record_us(std::uint64_t value, std::uint64_t count = 1) noexcept;

    /// Adds every bucket of `other`. Throws std::invalid_argument when the precisions differ.
    void merge(const latency_histogram& other);

    /// Empties the histogram (the precision stays).
    void clear() noexcept;

    std::uint64_t count() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    unsigned precision_bits() const noexcept { return bits_; }
    /// The bound on the relative error of percentile(), mean aside: 2^-p.
    double relative_error() const noexcept;

    /// Exact smallest and largest recorded values; zero when empty.
    duration min() const noexcept { return duration(count_ ? min_ : 0); }
    duration max() const noexcept { return duration(max_); }
    /// Exact mean (from the sum of the recorded values); zero when empty.
    double mean_us() const noexcept;

    /// The value at percentile `q` (0..100): the smallest bucket whose cumulative count reaches
    /// ceil(q / 100 * count()) (at least 1), reported as the middle of that bucket, clamped to
    /// [min(), max()]; the first rank is min() and the last max(), exactly. Zero when empty.
    duration percentile(double q) const noexcept;

    /// One non-empty bucket: the values in [lower, upper) microseconds, `count` of them.
    struct bucket {
        std::uint64_t lower = 0;
        std::uint64_t upper = 0;
        std::uint64_t count = 0;
    };
    /// The non-empty buckets in increasing order (for serialising and plotting).
    std::vector<bucket> buckets() const;

    /// Adds `count` values to the bucket that holds `lower_us` (for deserialising buckets()).
    /// The recorded minimum and maximum become that bucket's bounds unless set_extremes() follows.
    void add_bucket(std::uint64_t lower_us, std::uint64_t count) noexcept;
    /// Restores exact statistics after add_bucket() calls (from a serialised summary).
    void set_extremes(std::uint64_t min_us, std::uint64_t max_us, double sum_us) noexcept;
    /// The exact sum of the recorded values, in microseconds (for serialising).
    double sum_us() const noexcept { return sum_; }

    /// Index of the bucket that holds `value_us`, and the bounds of bucket `index`.
    std::size_t bucket_index(std::uint64_t value_us) const noexcept;
    std::uint64_t bucket_lower(std::size_t index) const noexcept;
    std::uint64_t bucket_upper(std::size_t index) const noexcept;

private:
    unsigned bits_;
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t min_ = 0;
    std::uint64_t max_ = 0;
    double sum_ = 0;
};

} // namespace openai
