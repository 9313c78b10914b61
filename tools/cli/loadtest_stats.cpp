#include "loadtest_stats.hpp"

#include <openai/error.hpp>
#include <openai/request_error.hpp>

#include <boost/asio/error.hpp>

namespace openai::cli::loadtest {

std::string classify(const error_info& info) {
    const auto& ec = info.code;
    if (!ec)
        return "ok";
    if (ec == boost::asio::error::operation_aborted)
        return "cancelled";
    if (info.http_status >= 400 && ec != errc::stream_error_event)
        return "http_" + std::to_string(info.http_status);
    if (ec.category() == openai::error_category()) {
        switch (static_cast<errc>(ec.value())) {
        case errc::invalid_request:
        case errc::unsupported_image_type:
        case errc::invalid_file_name:
        case errc::file_unreadable:
        case errc::file_changed:
            return "refused_before_sending";
        case errc::connect_timeout:
        case errc::tls_handshake_timeout:
        case errc::write_timeout:
        case errc::first_byte_timeout:
        case errc::request_timeout:
        case errc::stream_idle_timeout:
            return "timeout";
        case errc::resolve_failed:
        case errc::connect_failed:
        case errc::tls_handshake_failed:
        case errc::certificate_verification_failed:
        case errc::proxy_error:
        case errc::connection_closed:
        case errc::truncated_body:
            return "connection_error";
        case errc::stream_error_event:
            return "stream_error_event";
        case errc::stream_truncated:
            return "truncated_stream";
        case errc::invalid_json:
        case errc::json_type_mismatch:
        case errc::invalid_base64:
        case errc::event_too_large:
        case errc::body_too_large:
        case errc::unexpected_content_type:
        case errc::invalid_response:
            return "invalid_response";
        default:
            break;
        }
    }
    return "error";
}

const std::vector<phase_info>& phases() {
    static const std::vector<phase_info> list = {
        {"head", "head", false},
        {"first_partial", "first partial", true},
        {"complete", "complete", false},
        {"service_head", "head", false},
        {"service_first_partial", "first partial", true},
        {"service_complete", "complete", false},
        {"partial_gap", "gap between partials", true},
        {"queue", "queue (intended -> sent)", false},
    };
    return list;
}

bool known_phase(std::string_view name) {
    for (const auto& p : phases())
        if (p.name == name)
            return true;
    return false;
}

summary::summary(unsigned precision_bits)
    : none_(precision_bits) {
    for (const auto& p : phases())
        histograms_.emplace(std::string(p.name), latency_histogram(precision_bits));
}

const latency_histogram& summary::histogram(std::string_view phase) const {
    auto it = histograms_.find(phase);
    return it == histograms_.end() ? none_ : it->second;
}

void summary::add(const request_record& r) {
    if (r.warmup) {
        ++warmup_;
        return;
    }
    ++sent_;
    ++outcomes_[r.outcome];
    if (r.waited)
        ++waited_;
    bytes_ += r.bytes;
    auto rec = [this](std::string_view phase, clock::duration d) {
        histograms_.find(phase)->second.record(d);
    };
    rec("queue", r.actual - r.intended);
    if (r.head) {
        rec("head", *r.head - r.intended);
        rec("service_head", *r.head - r.service_start);
    }
    if (!r.partials.empty()) {
        rec("first_partial", r.partials.front() - r.intended);
        rec("service_first_partial", r.partials.front() - r.service_start);
        for (std::size_t i = 1; i < r.partials.size(); ++i)
            rec("partial_gap", r.partials[i] - r.partials[i - 1]);
    }
    if (r.outcome == "ok" && r.completed) {
        ++ok_;
        images_ += r.images;
        rec("complete", *r.completed - r.intended);
        rec("service_complete", *r.completed - r.service_start);
    }
}

void summary::saw_rate_limits(const rate_limits& limits, clock::time_point when) {
    if (limits == rate_limits{})
        return;
    if (!limits_ || when >= limits_at_) {
        limits_ = limits;
        limits_at_ = when;
    }
}

double summary::window_seconds() const noexcept {
    return std::chrono::duration<double>(window_).count();
}

double summary::images_per_minute() const noexcept {
    const double w = window_seconds();
    return w > 0 ? static_cast<double>(images_) * 60.0 / w : 0.0;
}

double summary::throughput_per_second() const noexcept {
    const double w = window_seconds();
    return w > 0 ? static_cast<double>(ok_) / w : 0.0;
}

} // namespace openai::cli::loadtest
