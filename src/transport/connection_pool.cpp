#include "transport/connection_pool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace openai::transport {

namespace asio = boost::asio;
using boost::system::error_code;

// A queued acquire. Granted under the pool's lock (a connection, or leave to open a new one),
// then woken by cancelling its timer on its own executor.
struct connection_pool::waiter {
    explicit waiter(asio::any_io_executor ex)
        : executor(ex)
        , timer(ex, asio::steady_timer::time_point::max()) {}
    asio::any_io_executor executor;
    asio::steady_timer timer;
    bool granted = false;
    bool fresh_only = false;
    std::shared_ptr<connection> conn; // set when granted an idle connection
};

lease& lease::operator=(lease&& other) noexcept {
    if (this != &other) {
        reset();
        pool_ = std::move(other.pool_);
        conn_ = std::move(other.conn_);
        reused_ = other.reused_;
    }
    return *this;
}

void lease::reset() noexcept {
    if (conn_ && pool_)
        pool_->give_back(std::move(conn_));
    conn_.reset();
    pool_.reset();
}

connection_pool::connection_pool(asio::any_io_executor ex, pool_options options,
                                 std::shared_ptr<asio::ssl::context> tls, bool tls_resumption)
    : executor_(std::move(ex))
    , options_(options)
    , tls_(tls)
    , tls_counters_(std::make_shared<tls_handshake_counters>()) {
    if (tls_ && tls_resumption)
        tls_sessions_ = tls_session_cache::for_context(tls_->native_handle());
    if (options_.max_connections_per_origin == 0)
        options_.max_connections_per_origin = 1;
}

connection_pool::~connection_pool() = default;

void connection_pool::prune(origin_state& state, std::vector<std::shared_ptr<connection>>& doomed) {
    if (options_.idle_timeout.count() <= 0)
        return;
    const auto oldest_allowed = clock::now() - options_.idle_timeout;
    while (!state.idle.empty() && state.idle.front()->idle_since() < oldest_allowed) {
        doomed.push_back(std::move(state.idle.front()));
        state.idle.pop_front();
    }
}

asio::awaitable<lease> connection_pool::acquire(const route& where, bool fresh_only,
                                                error_code& ec) {
    ec = {};
    std::vector<std::shared_ptr<connection>> doomed; // closed outside the lock, on return
    std::shared_ptr<waiter> me;
    {
        std::lock_guard lock(mutex_);
        auto& state = origins_[where.key()];
        prune(state, doomed);
        while (!fresh_only && !state.idle.empty()) {
            auto conn = std::move(state.idle.back());
            state.idle.pop_back();
            if (conn->looks_alive()) {
                ++state.in_use;
                co_return lease(shared_from_this(), std::move(conn), true);
            }
            doomed.push_back(std::move(conn));
        }
        // Idle connections count towards the limit too; a fresh one may displace the oldest.
        if (state.in_use + state.idle.size() >= options_.max_connections_per_origin &&
            !state.idle.empty()) {
            doomed.push_back(std::move(state.idle.front()));
            state.idle.pop_front();
        }
        if (state.in_use + state.idle.size() < options_.max_connections_per_origin) {
            ++state.in_use;
            ++created_;
            co_return lease(shared_from_this(), make_connection(where), false);
        }
        me = std::make_shared<waiter>(co_await asio::this_coro::executor);
        me->fresh_only = fresh_only;
        state.waiters.push_back(me);
    }

    error_code wait_ec;
    co_await me->timer.async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
    // The timer never expires: we get here when granted (timer cancelled by give_back) or when
    // the caller cancelled us. If both raced, the grant wins only if it came first.
    const bool cancelled =
        (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
    std::shared_ptr<connection> granted_conn;
    {
        std::lock_guard lock(mutex_);
        auto& state = origins_[where.key()];
        if (!me->granted) {
            std::erase(state.waiters, me);
            ec = asio::error::operation_aborted;
            co_return lease{};
        }
        granted_conn = std::move(me->conn);
        if (!granted_conn) {
            ++created_;
            granted_conn = make_connection(where);
        }
    }
    lease result(shared_from_this(), std::move(granted_conn), me->conn != nullptr);
    if (cancelled) {
        ec = asio::error::operation_aborted;
        co_return lease{}; // `result` goes out of scope: the grant passes to the next waiter
    }
    co_return result;
}

void connection_pool::give_back(std::shared_ptr<connection> conn) noexcept {
    std::shared_ptr<waiter> wake;
    std::vector<std::shared_ptr<connection>> doomed;
    {
        std::lock_guard lock(mutex_);
        auto& state = origins_[conn->route().key()];
        const bool keep = conn->reusable();
        if (!keep) {
            doomed.push_back(std::move(conn));
        }
        if (!state.waiters.empty()) {
            // The slot (and the connection, if kept) passes straight to the oldest waiter.
            wake = std::move(state.waiters.front());
            state.waiters.pop_front();
            wake->granted = true;
            if (keep && !wake->fresh_only)
                wake->conn = std::move(conn);
            else if (keep)
                doomed.push_back(std::move(conn));
        } else {
            --state.in_use;
            if (keep)
                state.idle.push_back(std::move(conn));
            prune(state, doomed);
        }
    }
    if (wake)
        asio::post(wake->executor, [wake] { wake->timer.cancel(); });
}

std::shared_ptr<connection> connection_pool::make_connection(const route& where) const {
    if (!where.target.tls)
        return std::make_shared<connection>(executor_, where, nullptr);
    return std::make_shared<connection>(executor_, where, tls_.get(), tls_sessions_, tls_counters_);
}

pool_stats connection_pool::stats() const {
    std::lock_guard lock(mutex_);
    pool_stats s;
    s.connections_created = created_;
    s.tls_full_handshakes = tls_counters_->full.load(std::memory_order_relaxed);
    s.tls_resumed = tls_counters_->resumed.load(std::memory_order_relaxed);
    for (const auto& [key, state] : origins_) {
        s.idle += state.idle.size();
        s.in_use += state.in_use;
        s.waiting += state.waiters.size();
    }
    return s;
}

} // namespace openai::transport
