/// Boost 1.81's Asio cannot `co_await` a deferred operation whose completion signature is
/// `void(std::exception_ptr, T)`: its awaitable_async_op_handler for that signature tests
/// `*result` instead of `*result.ex_` and does not compile. The library's calls complete with
/// exactly that signature (so that awaiting throws openai::request_error), and `asio::deferred` is
/// their default token, so the handler is specialized here, for the library's own result types
/// only, with the test fixed. Asio 1.82 (Boost 1.82) fixed it upstream; the fix steps aside there.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/version.hpp>

#include <exception>
#include <utility>

#if BOOST_VERSION < 108200

/// Declares the corrected handler for `void(std::exception_ptr, RESULT)`.
#define OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(RESULT)                                              \
    namespace boost::asio::detail {                                                                \
    template <typename Executor>                                                                   \
    class awaitable_async_op_handler<void(std::exception_ptr, RESULT), Executor>                   \
        : public awaitable_thread<Executor> {                                                      \
    public:                                                                                        \
        struct result_type {                                                                       \
            std::exception_ptr* ex_;                                                               \
            RESULT* value_;                                                                        \
        };                                                                                         \
        awaitable_async_op_handler(awaitable_thread<Executor>* h, result_type& result)             \
            : awaitable_thread<Executor>(std::move(*h))                                            \
            , result_(result) {}                                                                   \
        void operator()(std::exception_ptr ex, RESULT value) {                                     \
            result_.ex_ = &ex;                                                                     \
            result_.value_ = &value;                                                               \
            this->entry_point()->top_of_stack_->attach_thread(this);                               \
            this->entry_point()->top_of_stack_->clear_cancellation_slot();                         \
            this->pump();                                                                          \
        }                                                                                          \
        static RESULT resume(result_type& result) {                                                \
            if (*result.ex_)                                                                       \
                std::rethrow_exception(std::exchange(*result.ex_, nullptr));                       \
            return std::move(*result.value_);                                                      \
        }                                                                                          \
                                                                                                   \
    private:                                                                                       \
        result_type& result_;                                                                      \
    };                                                                                             \
    }

#else
#define OPENAI_DETAIL_FIX_EXCEPTION_PTR_AWAIT(RESULT)
#endif
