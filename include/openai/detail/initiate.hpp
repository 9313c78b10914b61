/// The one initiation every public asynchronous function of the library shares. A public call is
/// a line over `initiate<T>(token, start, args...)`: `start` is a compiled entry point (src/api)
/// that takes the arguments and the caller's handler, type-erased as `operation_handler<T>`, and
/// completes it exactly once through the library's completion path (src/api/completion.hpp), which
/// decides the executor, never completes inside the initiating call, and relays cancellation.
///
/// Two ways to deliver, chosen by the overload the caller picked:
///   void(std::exception_ptr, T)                 the exception is an openai::request_error
///   void(boost::system::error_code, T)          the facts of a failure land in an error_info&
#pragma once

#include <openai/request_error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <exception>
#include <type_traits>
#include <utility>

namespace openai::detail {

/// The caller's handler for an operation yielding T, as one of the two completion signatures.
template <class T>
struct operation_handler {
    using throwing_handler = boost::asio::any_completion_handler<void(std::exception_ptr, T)>;
    using code_handler = boost::asio::any_completion_handler<void(boost::system::error_code, T)>;

    explicit operation_handler(throwing_handler h) noexcept
        : throwing(std::move(h)) {}
    operation_handler(code_handler h, error_info* info) noexcept
        : coded(std::move(h))
        , info(info) {}

    throwing_handler throwing; ///< set for the throwing signature
    code_handler coded;        ///< set for the error_code signature, with `info`
    error_info* info = nullptr;
};

/// Starts the operation `start(args..., operation_handler<T>)` for a token whose completion
/// signature is void(std::exception_ptr, T).
template <class T, class CompletionToken, class Start, class... Args>
auto initiate(CompletionToken&& token, Start start, Args&&... args) {
    return boost::asio::async_initiate<CompletionToken, void(std::exception_ptr, T)>(
        [start](auto handler, auto&&... a) {
            start(std::forward<decltype(a)>(a)...,
                  operation_handler<T>(
                      typename operation_handler<T>::throwing_handler(std::move(handler))));
        },
        token, std::forward<Args>(args)...);
}

/// As above for void(boost::system::error_code, T); `info` receives the facts of a failure and
/// must live until the handler runs.
template <class T, class CompletionToken, class Start, class... Args>
auto initiate(error_info& info, CompletionToken&& token, Start start, Args&&... args) {
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, T)>(
        [start, info = &info](auto handler, auto&&... a) {
            start(std::forward<decltype(a)>(a)...,
                  operation_handler<T>(
                      typename operation_handler<T>::code_handler(std::move(handler)), info));
        },
        token, std::forward<Args>(args)...);
}

} // namespace openai::detail
