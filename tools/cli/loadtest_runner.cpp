#include "loadtest_runner.hpp"

#include "batch_progress.hpp"

#include <openai/client.hpp>
#include <openai/error.hpp>
#include <openai/image_stream.hpp>
#include <openai/images.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <string>

namespace openai::cli::loadtest {

namespace asio = boost::asio;

namespace {

std::string image_ext(std::string_view bytes) {
    if (bytes.substr(0, 4) == "\x89PNG")
        return "png";
    if (bytes.size() >= 3 && bytes.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3))
        return "jpeg";
    if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP")
        return "webp";
    return "bin";
}

std::string seconds_text(double s) {
    char buf[32];
    if (s < 1)
        std::snprintf(buf, sizeof buf, "%.0f ms", s * 1000);
    else
        std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

class runner {
public:
    runner(client_config config, const workload& work, const run_options& options)
        : work_(work)
        , options_(options)
        , client_(ioc_.get_executor(), prepare(std::move(config), options))
        , dispatch_timer_(ioc_)
        , slot_timer_(ioc_)
        , status_timer_(ioc_)
        , signals_(ioc_, SIGINT, SIGTERM) {
        if (options_.save_images)
            files_.emplace(2);
    }

    run_result run() {
        origin_ = clock::now();
        measure_start_ = origin_ + options_.warmup;
        if (options_.duration)
            closed_end_ = measure_start_ + *options_.duration;
        watch_signals();
        if (options_.status_line)
            tick();
        if (options_.mode == run_options::loop::open) {
            dispatching_ = true;
            asio::co_spawn(ioc_, open_loop(), asio::detached);
        } else {
            workers_ = options_.concurrency;
            for (unsigned i = 0; i < options_.concurrency; ++i)
                asio::co_spawn(ioc_, worker(), asio::detached);
        }
        ioc_.run();
        if (files_)
            files_->join();
        if (options_.status_line)
            std::fputs("\r\033[K", stderr);

        run_result out;
        out.origin = origin_;
        out.measure_start = measure_start_;
        out.interrupted = interrupted_;
        clock::time_point last = measure_start_;
        for (auto& r : records_) {
            if (!r.done) { // abandoned by a second SIGINT
                r.outcome = "cancelled";
                r.finished = clock::now();
                stats_.add(r);
            }
            if (!r.warmup)
                last = std::max(last, r.finished);
        }
        stats_.set_window(last - measure_start_);
        out.stats = std::move(stats_);
        out.records.assign(std::make_move_iterator(records_.begin()),
                           std::make_move_iterator(records_.end()));
        return out;
    }

private:
    static client_config prepare(client_config config, const run_options& o) {
        const std::size_t need =
            o.mode == run_options::loop::open ? o.max_in_flight : o.concurrency;
        config.pool.max_connections_per_origin =
            std::max<std::size_t>(config.pool.max_connections_per_origin, need);
        return config;
    }

    bool measured_quota_reached() const {
        return options_.requests && measured_started_ >= *options_.requests;
    }

    request_record& new_record(clock::time_point intended, bool warm, bool waited) {
        records_.emplace_back();
        request_record& r = records_.back();
        r.index = records_.size() - 1;
        r.intended = intended;
        r.warmup = warm;
        r.waited = waited;
        if (!warm)
            ++measured_started_;
        return r;
    }

    // ---- arrivals

    asio::awaitable<void> open_loop() {
        rate_schedule schedule = options_.schedule;
        std::optional<nanoseconds> total;
        if (options_.warmup.count() > 0) {
            const double r0 = schedule.steps.front().from;
            schedule.steps.insert(schedule.steps.begin(), rate_step{r0, r0, options_.warmup});
        }
        if (options_.duration)
            total = options_.warmup + *options_.duration;
        arrival_generator arrivals(schedule, options_.arrival, total, options_.seed);
        clock::time_point blocked_until{}; // arrivals due before this waited for the cap
        while (!stopping_) {
            const auto offset = arrivals.next();
            if (!offset)
                break;
            const bool warm = *offset < options_.warmup;
            if (!warm && measured_quota_reached())
                break;
            const auto intended = origin_ + *offset;
            if (intended > clock::now()) {
                dispatch_timer_.expires_at(intended);
                co_await dispatch_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
                if (stopping_)
                    break;
            }
            bool waited = intended < blocked_until;
            if (in_flight_ >= options_.max_in_flight) {
                waited = true;
                while (in_flight_ >= options_.max_in_flight && !stopping_) {
                    slot_timer_.expires_after(std::chrono::hours(24));
                    co_await slot_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
                }
                blocked_until = clock::now();
                if (stopping_)
                    break;
            }
            request_record& r = new_record(intended, warm, waited);
            ++in_flight_;
            asio::co_spawn(ioc_, execute(r), [this, &r](std::exception_ptr e) {
                --in_flight_;
                finish(r, e);
                slot_timer_.cancel(); // a slot is free
                maybe_done();
            });
        }
        dispatching_ = false;
        maybe_done();
    }

    asio::awaitable<void> worker() {
        while (!stopping_) {
            const auto now = clock::now();
            if (closed_end_ && now >= *closed_end_)
                break;
            const bool warm = now < measure_start_;
            if (!warm && measured_quota_reached())
                break;
            request_record& r = new_record(now, warm, false);
            ++in_flight_;
            std::exception_ptr failure;
            try {
                co_await execute(r);
            } catch (...) {
                failure = std::current_exception();
            }
            --in_flight_;
            finish(r, failure);
        }
        --workers_;
        maybe_done();
    }

    // ---- one request

    template <class Request>
    asio::awaitable<void> streamed(request_record& r, const Request& req) {
        error_info info;
        auto images = client_.images();
        r.actual = clock::now();
        image_stream stream;
        boost::system::error_code ec;
        if constexpr (std::is_same_v<Request, edit_request>)
            std::tie(ec, stream) =
                co_await images.edit_stream(req, info, asio::as_tuple(asio::deferred));
        else
            std::tie(ec, stream) =
                co_await images.generate_stream(req, info, asio::as_tuple(asio::deferred));
        if (ec) {
            fail(r, info, ec);
            co_return;
        }
        r.head = clock::now();
        std::string final_image;
        for (;;) {
            auto [nec, ev] = co_await stream.next(info, asio::as_tuple(asio::deferred));
            const auto t = clock::now();
            if (nec) {
                fail(r, info, nec);
                break;
            }
            if (!ev)
                break;
            if (is_partial(*ev)) {
                r.partials.push_back(t);
            } else {
                r.completed = t;
                ++r.images;
                if (options_.save_images)
                    final_image = image_bytes(std::move(*ev));
            }
        }
        r.finished = clock::now();
        r.bytes = stream.progress().bytes_received;
        if (stream.valid()) {
            const auto& meta = stream.metadata();
            take_metadata(r, meta);
            stats_.saw_rate_limits(meta.rate_limits, r.finished);
        }
        if (r.outcome.empty())
            r.outcome = r.completed ? "ok" : "truncated_stream";
        if (!final_image.empty())
            save(r, std::move(final_image), 1);
    }

    template <class Request>
    asio::awaitable<void> unary(request_record& r, const Request& req) {
        error_info info;
        auto images = client_.images();
        r.actual = clock::now();
        boost::system::error_code ec;
        images_response response;
        if constexpr (std::is_same_v<Request, edit_request>)
            std::tie(ec, response) =
                co_await images.edit(req, info, asio::as_tuple(asio::use_awaitable));
        else
            std::tie(ec, response) =
                co_await images.generate(req, info, asio::as_tuple(asio::use_awaitable));
        r.finished = clock::now();
        if (ec) {
            fail(r, info, ec);
            co_return;
        }
        r.completed = r.finished;
        take_metadata(r, response.meta);
        if (phase_times::has(response.meta.times.response_head))
            r.head = response.meta.times.response_head;
        stats_.saw_rate_limits(response.meta.rate_limits, r.finished);
        std::size_t k = 0;
        for (auto& img : response.data) {
            ++r.images;
            if (img.bytes) {
                r.bytes += img.bytes->size();
                if (options_.save_images)
                    save(r, std::move(*img.bytes), ++k);
            }
        }
        r.outcome = "ok";
    }

    asio::awaitable<void> execute(request_record& r) {
        const std::size_t i = r.index % work_.size();
        if (work_.edit) {
            if (work_.stream)
                co_await streamed(r, work_.edits[i]);
            else
                co_await unary(r, work_.edits[i]);
        } else {
            if (work_.stream)
                co_await streamed(r, work_.generations[i]);
            else
                co_await unary(r, work_.generations[i]);
        }
        if (!r.service_start_from_library)
            r.service_start = r.actual;
    }

    void take_metadata(request_record& r, const response_metadata& meta) {
        r.attempts = meta.attempts;
        r.http_status = meta.http_status;
        r.request_id = meta.request_id;
        if (phase_times::has(meta.times.request_written) &&
            meta.times.request_written >= r.actual) {
            r.service_start = meta.times.request_written;
            r.service_start_from_library = true;
        }
    }

    void fail(request_record& r, const error_info& info, boost::system::error_code ec) {
        error_info copy = info;
        if (!copy.code)
            copy.code = ec;
        r.outcome = classify(copy);
        r.http_status = copy.http_status;
        r.request_id = copy.request_id;
        r.attempts = copy.attempts;
        r.error = copy.message.empty() ? ec.message() : copy.message;
        r.finished = clock::now();
    }

    void finish(request_record& r, std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                r.error = x.what();
            } catch (...) {
                r.error = "unknown exception";
            }
            r.outcome = "error";
            r.finished = clock::now();
        }
        if (r.outcome.empty())
            r.outcome = "error";
        r.done = true;
        stats_.add(r);
        if (!r.warmup) {
            if (r.outcome == "ok") {
                ++ok_;
                if (r.completed)
                    live_.record(*r.completed - r.intended);
            } else {
                ++failed_;
            }
            rate_.record(r.finished);
        }
    }

    void save(const request_record& r, std::string bytes, std::size_t k) {
        if (!files_)
            return;
        const auto path = *options_.save_images / ("request-" + std::to_string(r.index) + "-" +
                                                   std::to_string(k) + "." + image_ext(bytes));
        asio::post(*files_, [path, bytes = std::move(bytes)] {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        });
    }

    // ---- stopping and the status line

    void watch_signals() {
        signals_.async_wait([this](boost::system::error_code ec, int) {
            if (ec)
                return;
            if (!stopping_) {
                stopping_ = true;
                interrupted_ = true;
                dispatch_timer_.cancel();
                slot_timer_.cancel();
                std::fputs("\r\033[Kinterrupted: starting nothing new, waiting for the requests "
                           "in flight (interrupt again to abandon them)\n",
                           stderr);
                watch_signals();
                maybe_done();
            } else {
                ioc_.stop();
            }
        });
    }

    void maybe_done() {
        if (dispatching_ || workers_ > 0 || in_flight_ > 0)
            return;
        finished_ = true;
        signals_.cancel();
        status_timer_.cancel();
        dispatch_timer_.cancel();
        slot_timer_.cancel();
    }

    void tick() {
        if (finished_)
            return;
        const auto now = clock::now();
        const double elapsed = std::chrono::duration<double>(now - origin_).count();
        std::string line = "\r\033[K";
        char buf[160];
        std::snprintf(buf, sizeof buf, "%6.1f s%s  sent %zu  in flight %zu  ok %zu  failed %zu",
                      elapsed, now < measure_start_ ? " (warm-up)" : "", records_.size(),
                      in_flight_, ok_, failed_);
        line += buf;
        if (auto rate = rate_.per_second(now)) {
            std::snprintf(buf, sizeof buf, "  %.2f/s", *rate);
            line += buf;
        }
        if (!live_.empty())
            line +=
                "  p50 " + seconds_text(static_cast<double>(live_.percentile(50).count()) / 1e6) +
                "  p99 " + seconds_text(static_cast<double>(live_.percentile(99).count()) / 1e6);
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
        status_timer_.expires_after(std::chrono::milliseconds(250));
        status_timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec)
                tick();
        });
    }

    const workload& work_;
    const run_options& options_;
    std::deque<request_record> records_; // stable references; outlives the io_context's work
    summary stats_;
    latency_histogram live_; // completion latency so far, for the status line
    batch::rate_meter rate_{std::chrono::seconds{10}};
    asio::io_context ioc_{1};
    std::optional<asio::thread_pool> files_; // --save-images: writes off the measuring thread
    openai::client client_;
    asio::steady_timer dispatch_timer_;
    asio::steady_timer slot_timer_;
    asio::steady_timer status_timer_;
    asio::signal_set signals_;
    clock::time_point origin_{};
    clock::time_point measure_start_{};
    std::optional<clock::time_point> closed_end_;
    std::size_t in_flight_ = 0;
    std::size_t measured_started_ = 0;
    std::size_t ok_ = 0;
    std::size_t failed_ = 0;
    unsigned workers_ = 0;
    bool dispatching_ = false;
    bool stopping_ = false;
    bool interrupted_ = false;
    bool finished_ = false;
};

} // namespace

run_result run_load(client_config config, const workload& work, const run_options& options) {
    runner r(std::move(config), work, options);
    return r.run();
}

} // namespace openai::cli::loadtest
