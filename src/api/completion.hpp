// The one completion path of every public operation: its coroutine runs on a strand, the caller's
// handler runs on its associated executor (the client's when it has none), never inside the
// initiating call, and its cancellation slot reaches the coroutine. The public side is
// <openai/detail/initiate.hpp>; an operation's compiled entry point is then a few lines:
//
//   void start_x(std::shared_ptr<client_impl> client, args..., operation_handler<T> handler) {
//       auto strand = asio::make_strand(client->executor());
//       start_operation(strand, client->executor(), run_x(client, args...), std::move(handler));
//   }
//
// where run_x is a coroutine returning operation_result<T>: an empty error_info and the value, or
// the error's facts (the value is then dropped).
#pragma once

#include <openai/detail/initiate.hpp>
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
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/strand.hpp>

#include <exception>
#include <memory>
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

template <class T>
handler_binding binding_of(const operation_handler<T>& handler,
                           const boost::asio::any_io_executor& fallback) {
    return handler.throwing ? binding_of(handler.throwing, fallback)
                            : binding_of(handler.coded, fallback);
}

// What an operation's coroutine yields: the facts of its failure (empty on success) and its value.
template <class T>
using operation_result = std::pair<error_info, T>;

// Boost 1.81's co_spawn forwards a cancellation to a coroutine on another executor by dispatching
// a raw pointer to a signal it keeps inside the caller's cancellation slot. When the coroutine
// finishes first (a `||` whose timer fires as the call completes, on another thread), the signal
// is gone before the dispatched emit runs: a use after free (Asio 1.82 shares the signal
// instead). So the caller's slot is never handed to co_spawn. A relay of ours, shared by the
// caller's slot handler and the coroutine, carries the cancellation to the strand and emits it
// only while the coroutine is still running.
struct cancellation_relay {
    boost::asio::cancellation_signal signal; // connected to the coroutine; used on its strand
    bool finished = false;                   // set on the strand when the coroutine ended
};

// Runs `op` on `strand` and completes `on_done(std::exception_ptr, T)` on the handler's executor
// (dispatched there, and counted as outstanding work until then), with the handler's
// cancellation slot reaching the coroutine through a cancellation_relay.
template <class Strand, class T, class OnDone>
void spawn_bound(const Strand& strand, boost::asio::awaitable<T> op, const handler_binding& binding,
                 OnDone on_done) {
    namespace asio = boost::asio;
    auto relay = std::make_shared<cancellation_relay>();
    auto slot = binding.slot;
    if (slot.is_connected())
        slot.assign([relay, strand](asio::cancellation_type_t type) {
            asio::dispatch(strand, [relay, type] {
                if (!relay->finished)
                    relay->signal.emit(type);
            });
        });
    auto work = asio::prefer(binding.executor, asio::execution::outstanding_work.tracked);
    // The completion below has no associated executor, so co_spawn runs it on the strand and
    // emits into the coroutine directly (no dispatched pointer).
    asio::co_spawn(strand, std::move(op),
                   asio::bind_cancellation_slot(
                       relay->signal.slot(),
                       [relay, slot, work = std::move(work),
                        on_done = std::move(on_done)](std::exception_ptr ep, T result) mutable {
                           relay->finished = true;
                           auto target = work;
                           // The caller's slot is cleared on the caller's executor, where it is
                           // emitted.
                           asio::dispatch(target, [slot, work = std::move(work),
                                                   on_done = std::move(on_done), ep,
                                                   result = std::move(result)]() mutable {
                               if (slot.is_connected())
                                   slot.clear();
                               std::move(on_done)(ep, std::move(result));
                           });
                       }));
}

// An exception that escaped an operation's coroutine, as an error the caller can handle.
inline error_info from_exception(std::exception_ptr ep);

// Invokes the caller's handler with a result: a failure becomes a request_error (throwing
// signature) or an error_code with the facts in the caller's error_info; the value is passed only
// on success.
template <class T>
void deliver(operation_handler<T>& handler, std::exception_ptr ep, operation_result<T> result) {
    if (handler.throwing) {
        if (!ep && result.first.code)
            ep = std::make_exception_ptr(request_error(std::move(result.first)));
        std::move(handler.throwing)(ep, ep ? T{} : std::move(result.second));
        return;
    }
    if (ep)
        result.first = from_exception(ep);
    const auto ec = result.first.code;
    *handler.info = std::move(result.first);
    std::move(handler.coded)(ec, ec ? T{} : std::move(result.second));
}

struct no_hook {
    void operator()() const noexcept {}
};

// Runs `op` on `strand` and delivers its result to `handler` on the handler's associated executor
// (`fallback` when it has none). `before_delivery` runs on that executor just before the handler:
// an operation that stays pending until its handler runs (image_stream::next) ends there.
template <class T, class BeforeDelivery = no_hook>
void start_operation(const boost::asio::strand<boost::asio::any_io_executor>& strand,
                     const boost::asio::any_io_executor& fallback,
                     boost::asio::awaitable<operation_result<T>> op, operation_handler<T> handler,
                     BeforeDelivery before_delivery = {}) {
    const auto binding = binding_of(handler, fallback);
    spawn_bound(strand, std::move(op), binding,
                [handler = std::move(handler), before_delivery = std::move(before_delivery)](
                    std::exception_ptr ep, operation_result<T> result) mutable {
                    before_delivery();
                    deliver(handler, ep, std::move(result));
                });
}

// Completes `handler` with `failure` without running anything: posted through `io` (so never
// inside the initiating call), then run on the handler's associated executor.
template <class T>
void complete_with_failure(const boost::asio::any_io_executor& io, operation_handler<T> handler,
                           error_info failure) {
    namespace asio = boost::asio;
    auto target = binding_of(handler, io).executor;
    asio::post(io, asio::bind_executor(std::move(target), [handler = std::move(handler),
                                                           failure = std::move(failure)]() mutable {
                   deliver(handler, nullptr, operation_result<T>{std::move(failure), T{}});
               }));
}

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
