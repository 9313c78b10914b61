// Connections per origin: created lazily, reused while kept alive, at most N per origin with
// waiters served first come first served, and idle ones dropped after the idle timeout.
//
// Thread safety: all members may be called from any thread; pool state sits behind a mutex held
// only for bookkeeping, never across I/O. A waiter is woken on its own executor.
#pragma once

#include "transport/connection.hpp"

#include <openai/client_config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

namespace openai::transport {

class connection_pool;

// Exclusive use of one connection. Destroying the lease gives the connection back: to the idle
// list when the last exchange left it reusable, otherwise it is closed and its slot freed.
class lease {
public:
    lease() = default;
    lease(std::shared_ptr<connection_pool> pool, std::shared_ptr<connection> conn, bool reused)
        : pool_(std::move(pool))
        , conn_(std::move(conn))
        , reused_(reused) {}
    lease(lease&&) noexcept = default;
    lease& operator=(lease&& other) noexcept;
    ~lease() { reset(); }

    connection* operator->() const noexcept { return conn_.get(); }
    connection& operator*() const noexcept { return *conn_; }
    explicit operator bool() const noexcept { return conn_ != nullptr; }
    // True when the connection served an earlier request (so it may have gone stale meanwhile).
    bool reused() const noexcept { return reused_; }
    void reset() noexcept;

private:
    std::shared_ptr<connection_pool> pool_;
    std::shared_ptr<connection> conn_;
    bool reused_ = false;
};

struct pool_stats {
    std::size_t connections_created = 0;
    std::size_t idle = 0;
    std::size_t in_use = 0;
    std::size_t waiting = 0;
    std::size_t tls_full_handshakes = 0;
    std::size_t tls_resumed = 0;
};

class connection_pool : public std::enable_shared_from_this<connection_pool> {
public:
    // `tls` may be null when only plain http is used. With `tls_resumption`, TLS sessions are
    // kept per route and resumed by later connections (see tls_session_cache).
    connection_pool(boost::asio::any_io_executor ex, pool_options options,
                    std::shared_ptr<boost::asio::ssl::context> tls, bool tls_resumption = true);
    ~connection_pool();

    // A connection along `route` (an origin, possibly through a proxy): an idle one that still
    // looks alive (unless `fresh_only`), else a new unopened one (open() it), else waits for one.
    // At most max_connections_per_origin exist per route, idle ones included. Cancellable (terminal
    // cancellation): completes with operation_aborted and leaves the queue.
    boost::asio::awaitable<lease> acquire(const route& route, bool fresh_only,
                                          boost::system::error_code& ec);

    pool_stats stats() const;

private:
    friend class lease;
    struct waiter;
    struct origin_state {
        std::deque<std::shared_ptr<connection>> idle; // most recently used at the back
        std::deque<std::shared_ptr<waiter>> waiters;
        std::size_t in_use = 0; // leased, including connections being opened
    };

    void give_back(std::shared_ptr<connection> conn) noexcept;
    std::shared_ptr<connection> make_connection(const route& where) const;
    // Under the lock: drop idle connections past the idle timeout into `doomed` (closed later).
    void prune(origin_state& state, std::vector<std::shared_ptr<connection>>& doomed);

    boost::asio::any_io_executor executor_;
    pool_options options_;
    std::shared_ptr<boost::asio::ssl::context> tls_;  // outlives every connection made from it
    std::shared_ptr<tls_session_cache> tls_sessions_; // null: no resumption
    std::shared_ptr<tls_handshake_counters> tls_counters_;
    mutable std::mutex mutex_;
    std::map<std::string, origin_state> origins_; // by route key
    std::size_t created_ = 0;
};

} // namespace openai::transport
