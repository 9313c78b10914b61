// What the emulator received, for tests that check every parameter reached the server as sent
// (`GET /v1/_emulator/requests`), and its connection counters (`GET /v1/_emulator/stats`).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace openai::emulator {

/// The most recent requests (a bounded ring). Thread-safe.
class request_log {
public:
    explicit request_log(std::size_t capacity = 1000)
        : capacity_(capacity) {}

    /// Adds one record; its "seq" member is set here (1, 2, ...).
    void add(boost::json::object record);

    struct query {
        /// Keep only records whose `x-emulator-fault-key` equals this.
        std::optional<std::string> fault_key;
        /// Keep only the record with this `x-request-id`.
        std::optional<std::string> request_id;
        /// The last `limit` matching records (0: all kept).
        std::size_t limit = 0;
    };

    /// Matching records, oldest first.
    boost::json::array find(const query& q) const;

    void clear();

private:
    mutable std::mutex mutex_;
    std::size_t capacity_;
    std::uint64_t next_seq_ = 1;
    std::deque<boost::json::object> records_;
};

/// Connection and request counters. Lock-free.
struct server_stats {
    std::atomic<std::uint64_t> connections_accepted{0};
    std::atomic<std::uint64_t> connections_open{0};
    std::atomic<std::uint64_t> connections_peak{0};
    std::atomic<std::uint64_t> tls_handshake_failures{0};
    std::atomic<std::uint64_t> requests_served{0};
    std::atomic<std::uint64_t> streams_open{0};
    std::atomic<std::uint64_t> streams_peak{0};
    std::atomic<std::uint64_t> faults_fired{0};
    std::atomic<std::uint64_t> bytes_received{0};
    std::atomic<std::uint64_t> bytes_sent{0};

    void connection_opened() noexcept;
    void connection_closed() noexcept { connections_open.fetch_sub(1, std::memory_order_relaxed); }
    void stream_opened() noexcept;
    void stream_closed() noexcept { streams_open.fetch_sub(1, std::memory_order_relaxed); }

    boost::json::object to_json() const;
};

/// A JSON value as the log keeps it: strings longer than `max_string` become
/// `{"$string":{"length":N,"sha256":"...","head":"first 64 chars"}}`.
boost::json::value summarize_json(const boost::json::value& v, std::size_t max_string = 1024);

} // namespace openai::emulator
