// How the public operations start their coroutine and complete the caller's handler: the
// coroutine runs on a strand, the handler on its associated executor (the client's when it has
// none), never inside the initiating call, and its cancellation slot reaches the coroutine.
#pragma once

#include <openai/request_error.hpp>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <string>
#include <utility>

namespace openai::detail {

// Where and how the user's handler wants to be completed, read before the handler is moved.
struct handler_binding {
    boost::asio::cancellation_slot slot;
    boost::asio::any_completion_executor executor;
};

template <class Handler>
handler_binding binding_of(const Handler& handler, const boost::asio::any_io_executor& fallback) {
    return {boost::asio::get_associated_cancellation_slot(handler),
            boost::asio::get_associated_executor(handler, fallback)};
}

// Runs `op` on `strand` and completes `on_done(std::exception_ptr, T)` on the handler's executor,
// with the handler's cancellation slot forwarded into the coroutine.
template <class Executor, class T, class OnDone>
void spawn_bound(const Executor& strand, boost::asio::awaitable<T> op,
                 const handler_binding& binding, OnDone on_done) {
    boost::asio::co_spawn(
        strand, std::move(op),
        boost::asio::bind_cancellation_slot(
            binding.slot, boost::asio::bind_executor(binding.executor, std::move(on_done))));
}

// An exception that escaped an operation's coroutine, as an error the caller can handle.
inline error_info from_exception(std::exception_ptr ep) {
    error_info info;
    info.code = errc::invalid_response;
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        info.message = std::string("internal failure: ") + e.what();
    } catch (...) {
        info.message = "internal failure";
    }
    return info;
}

} // namespace openai::detail
