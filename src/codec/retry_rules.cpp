#include "codec/retry_rules.hpp"

#include "codec/ascii.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <ctime>

namespace openai::codec {
namespace {

// A non-negative decimal number, possibly fractional ("1.5"); nullopt for anything else.
std::optional<double> parse_non_negative(std::string_view s) noexcept {
    s = trim(s);
    if (s.empty())
        return std::nullopt;
    double value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size() || !(value >= 0) || !std::isfinite(value))
        return std::nullopt;
    return value;
}

// Whole milliseconds, at least `ms`; saturated far beyond any cap, since converting a double
// that does not fit into an integer is undefined ("retry-after: 1e300").
std::chrono::milliseconds ceil_millis(double ms) noexcept {
    return std::chrono::milliseconds{static_cast<std::int64_t>(std::min(std::ceil(ms), 9.0e18))};
}

bool parse_digits(std::string_view s, int& out) noexcept {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

} // namespace

bool is_retryable_status(int status, const retry_headers& headers) noexcept {
    const auto hint = trim(headers.should_retry);
    if (iequals(hint, "true"))
        return true;
    if (iequals(hint, "false"))
        return false;
    return status == 0 || status == 408 || status == 409 || status == 429 || status >= 500;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) noexcept {
    // "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions, so a length check and field parses suffice.
    s = trim(s);
    if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ' || s.substr(26) != "GMT")
        return std::nullopt;
    static constexpr std::array<std::string_view, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto month_it = std::find(months.begin(), months.end(), s.substr(8, 3));
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    if (month_it == months.end() || !parse_digits(s.substr(5, 2), day) ||
        !parse_digits(s.substr(12, 4), year) || !parse_digits(s.substr(17, 2), hour) ||
        !parse_digits(s.substr(20, 2), minute) || !parse_digits(s.substr(23, 2), second))
        return std::nullopt;
    const auto month = static_cast<unsigned>(month_it - months.begin()) + 1;
    const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                           std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    // In seconds first: system_clock counts nanoseconds, which overflow outside about 1678..2262
    // ("Sun, 15 Nov 0997 ..."), and such a date is none we understand.
    using std::chrono::seconds;
    using clock = std::chrono::system_clock;
    const std::chrono::sys_seconds t = std::chrono::sys_days{date} + std::chrono::hours{hour} +
                                       std::chrono::minutes{minute} + seconds{second};
    if (t < std::chrono::ceil<seconds>(clock::time_point::min()) ||
        t > std::chrono::floor<seconds>(clock::time_point::max()))
        return std::nullopt;
    return std::chrono::time_point_cast<clock::duration>(t);
}

std::optional<std::chrono::milliseconds>
server_retry_delay(const retry_headers& headers, std::chrono::system_clock::time_point now) {
    using std::chrono::milliseconds;
    if (auto ms = parse_non_negative(headers.retry_after_ms))
        return ceil_millis(*ms);
    if (auto seconds = parse_non_negative(headers.retry_after))
        return ceil_millis(*seconds * 1000.0);
    if (auto date = parse_http_date(headers.retry_after)) {
        // ceil(date - now) in milliseconds, exactly (the date is in whole seconds), without the
        // nanosecond difference that overflows when the two are centuries apart.
        const auto delta = std::chrono::time_point_cast<milliseconds>(*date) -
                           std::chrono::floor<milliseconds>(now);
        return std::max(delta, milliseconds{0});
    }
    return std::nullopt;
}

std::chrono::milliseconds backoff_delay(unsigned retry, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max,
                                        double unit_random) noexcept {
    const double base =
        std::min(static_cast<double>(initial.count()) * std::ldexp(1.0, std::min(retry, 30u)),
                 static_cast<double>(max.count()));
    const double jitter = 1.0 - 0.25 * std::clamp(unit_random, 0.0, 1.0);
    return std::chrono::milliseconds{static_cast<std::int64_t>(base * jitter)};
}

} // namespace openai::codec
