#include "batch_runner.hpp"

#include "batch_pacing.hpp"
#include "contact_sheet.hpp"
#include "output.hpp"

#include <openai/client.hpp>
#include <openai/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace openai::cli::batch {

namespace asio = boost::asio;

namespace {

class runner {
public:
    runner(client_config config, const runner_options& options,
           const std::vector<batch_item>& items, manifest_writer& manifest, reporter& report,
           progress_counts counts)
        : options_(options)
        , items_(items)
        , manifest_(manifest)
        , report_(report)
        , client_(ioc_.get_executor(), prepare(std::move(config), options))
        , wake_(ioc_)
        , grace_timer_(ioc_)
        , tick_(ioc_)
        , signals_(ioc_, SIGINT, SIGTERM)
        , rpm_(options.requests_per_minute)
        , ipm_(options.images_per_minute) {
        outcome_.counts = counts;
    }

    run_outcome run() {
        watch_signals();
        if (report_.style() == report_style::terminal)
            tick();
        asio::co_spawn(ioc_, dispatch(), [this](std::exception_ptr e) {
            if (e)
                fail(e);
        });
        ioc_.run();
        return outcome_;
    }

private:
    using clock = batch::clock;

    client_config prepare(client_config config, const runner_options& options) {
        // Every attempt's status reaches the pacing, retries inside the library included: a 429
        // pauses everyone for the wait the library is about to make. The io_context runs on
        // this thread only, so the callback touches the runner without locks.
        auto previous = std::move(config.on_attempt);
        config.on_attempt = [this, previous](const attempt_record& r) {
            if (previous)
                previous(r);
            if (r.http_status == 429)
                gate_.pause_until(clock::now() + rate_limited_pause(r.retry_delay));
        };
        config.pool.max_connections_per_origin =
            std::max<std::size_t>(config.pool.max_connections_per_origin, options.concurrency);
        return config;
    }

    // ---- starting work

    asio::awaitable<void> dispatch() {
        std::size_t next = 0;
        std::optional<clock::time_point> booked; // the rate limiters' slot for items_[next]
        while (next < items_.size() && !stopping_) {
            const auto now = clock::now();
            if (in_flight_.size() >= options_.concurrency) {
                co_await sleep_until(now + std::chrono::hours{1}); // woken by a finished request
                continue;
            }
            if (!gate_.is_open(now)) {
                co_await sleep_until(gate_.opens_at());
                continue;
            }
            if (!booked)
                booked = std::max(rpm_.reserve(1, now),
                                  ipm_.reserve(static_cast<double>(items_[next].images()), now));
            if (*booked > now) {
                co_await sleep_until(*booked);
                continue;
            }
            booked.reset();
            launch(next++);
        }
        outcome_.not_started = items_.size() - next;
        dispatch_done_ = true;
        maybe_finish();
    }

    asio::awaitable<void> sleep_until(clock::time_point t) {
        wake_.expires_at(t);
        co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    }

    void wake() { wake_.cancel(); }

    void launch(std::size_t index) {
        auto signal = std::make_unique<asio::cancellation_signal>();
        auto slot = signal->slot();
        in_flight_.emplace(index, std::move(signal));
        outcome_.counts.in_flight = in_flight_.size();
        // Started when released here (what the rate limits govern), not when first scheduled.
        const auto started_ms = unix_ms(std::chrono::system_clock::now());
        asio::co_spawn(ioc_, work(index, slot, started_ms), [this, index](std::exception_ptr e) {
            in_flight_.erase(index);
            outcome_.counts.in_flight = in_flight_.size();
            if (e)
                fail(e);
            wake();
            maybe_finish();
        });
    }

    // ---- one request

    asio::awaitable<void> work(std::size_t index, asio::cancellation_slot slot,
                               std::int64_t started_ms) {
        const batch_item& item = items_[index];
        timing t;
        t.started_ms = started_ms;
        // On disk before anything is sent: if the run dies with this request in flight, a
        // resumed run knows it may have been billed and does not send it again unasked.
        co_await asio::co_spawn(
            files_,
            [&]() -> asio::awaitable<void> {
                auto record = started_record(item, t);
                describe_request(record, item);
                manifest_.append(record);
                co_return;
            },
            asio::use_awaitable);

        error_info info;
        boost::system::error_code ec;
        images_response response;
        if (cancelling_) {
            // Cancelled while its start was being recorded (the slot had no handler yet):
            // nothing was sent.
            ec = asio::error::operation_aborted;
        } else {
            std::tie(ec, response) = co_await client_.images().generate(
                *item.request, info,
                asio::bind_cancellation_slot(slot, asio::as_tuple(asio::use_awaitable)));
        }
        t.finished_ms = unix_ms(std::chrono::system_clock::now());
        const auto now = clock::now();

        enum class outcome { ok, cancelled, failed } result = outcome::failed;
        if (!ec) {
            result = outcome::ok;
            if (auto pause = exhausted_limit_pause(response.meta.rate_limits))
                gate_.pause_until(now + *pause);
        } else if (ec == asio::error::operation_aborted && cancelling_) {
            result = outcome::cancelled;
        } else {
            if (ec == errc::rate_limited)
                gate_.pause_until(now + rate_limited_pause(info.retry_after));
            if (!info.code)
                info.code = ec;
        }
        // Files and the manifest are written (and synced) on the file threads, so that a slow
        // disk never holds up the requests and the pacing on this one.
        auto record = co_await asio::co_spawn(
            files_,
            [&]() -> asio::awaitable<boost::json::object> {
                co_return write_result(item, result == outcome::ok, result == outcome::cancelled,
                                       response, info, t);
            },
            asio::use_awaitable);
        switch (result) {
        case outcome::ok:
            ++outcome_.counts.ok;
            break;
        case outcome::cancelled:
            ++outcome_.counts.cancelled;
            break;
        case outcome::failed:
            ++outcome_.counts.failed;
            break;
        }
        rate_.record(now);
        outcome_.counts.in_flight = in_flight_.size() - 1; // this one is done
        report_.record(record, outcome_.counts, rate_.per_second(now));
    }

    // Runs on a file thread: the images (each atomically) and then the manifest record, so a
    // record never points at a file that is not there. Touches nothing of the runner but the
    // manifest writer, whose appends are safe from several threads.
    boost::json::object write_result(const batch_item& item, bool ok, bool cancelled,
                                     const images_response& response, const error_info& info,
                                     const timing& t) {
        boost::json::object record;
        const auto dir = options_.out_dir / item.id;
        // Images of an attempt that died before its record are not results: start clean.
        remove_unrecorded_files(dir);
        if (ok) {
            std::vector<std::string> files;
            std::size_t k = 0;
            for (const auto& img : response.data) {
                if (!img.bytes)
                    continue;
                const auto name = image_file_name(++k, image_extension(*img.bytes).value_or("bin"));
                write_file_atomically(dir, name, *img.bytes);
                files.push_back(item.id + "/" + name);
            }
            record = ok_record(item, response, files, t);
        } else if (cancelled) {
            record = cancelled_record(item, info.outcome, t);
        } else {
            record = error_record(item, info, t);
        }
        describe_request(record, item);
        manifest_.append(record);
        if (options_.on_record)
            options_.on_record();
        return record;
    }

    // ---- stopping

    void watch_signals() {
        signals_.async_wait([this](boost::system::error_code ec, int) {
            if (ec)
                return;
            if (!stopping_) {
                stopping_ = true;
                outcome_.interrupted = true;
                wake();
                if (!in_flight_.empty()) {
                    char grace[32];
                    std::snprintf(grace, sizeof grace, "%g",
                                  static_cast<double>(options_.grace.count()) / 1000.0);
                    report_.notice("interrupted: starting nothing new; waiting up to " +
                                   std::string(grace) + " s for " +
                                   std::to_string(in_flight_.size()) +
                                   " request(s) in flight (interrupt again to cancel them)");
                    grace_timer_.expires_after(options_.grace);
                    grace_timer_.async_wait([this](boost::system::error_code e) {
                        if (!e)
                            cancel_in_flight();
                    });
                }
            } else {
                cancel_in_flight();
            }
            watch_signals();
        });
    }

    void cancel_in_flight() {
        if (cancelling_ || in_flight_.empty())
            return;
        cancelling_ = true;
        report_.notice("cancelling " + std::to_string(in_flight_.size()) + " request(s) in flight");
        std::vector<std::size_t> keys;
        for (const auto& [k, s] : in_flight_)
            keys.push_back(k);
        for (auto k : keys)
            if (auto it = in_flight_.find(k); it != in_flight_.end())
                it->second->emit(asio::cancellation_type::terminal);
    }

    void fail(std::exception_ptr e) {
        if (!outcome_.fatal)
            outcome_.fatal = e;
        stopping_ = true;
        wake();
        cancel_in_flight();
    }

    void maybe_finish() {
        if (!dispatch_done_ || !in_flight_.empty())
            return;
        signals_.cancel();
        grace_timer_.cancel();
        tick_.cancel();
        outcome_.pauses = gate_.pauses();
    }

    void tick() {
        report_.status(outcome_.counts, rate_.per_second(clock::now()));
        tick_.expires_after(std::chrono::milliseconds(250));
        tick_.async_wait([this](boost::system::error_code ec) {
            if (!ec)
                tick();
        });
    }

    const runner_options& options_;
    const std::vector<batch_item>& items_;
    manifest_writer& manifest_;
    reporter& report_;
    asio::io_context ioc_{1};
    // Blocking file work (writes and fsyncs of images and records): a few at once.
    asio::thread_pool files_{4};
    openai::client client_;
    asio::steady_timer wake_;
    asio::steady_timer grace_timer_;
    asio::steady_timer tick_;
    asio::signal_set signals_;
    rate_limiter rpm_;
    rate_limiter ipm_;
    pause_gate gate_;
    rate_meter rate_;
    std::map<std::size_t, std::unique_ptr<asio::cancellation_signal>> in_flight_;
    bool stopping_ = false;
    bool cancelling_ = false;
    bool dispatch_done_ = false;
    run_outcome outcome_;
};

} // namespace

run_outcome run_items(client_config config, const runner_options& options,
                      const std::vector<batch_item>& items, manifest_writer& manifest,
                      reporter& report, progress_counts counts) {
    runner r(std::move(config), options, items, manifest, report, counts);
    return r.run();
}

} // namespace openai::cli::batch
