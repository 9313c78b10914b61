#include "emulator/fault.hpp"

#include "codec/ascii.hpp"

#include <charconv>

namespace openai::emulator {
namespace {

using codec::trim;

bool parse_u64(std::string_view s, std::uint64_t& out) {
    if (s.empty())
        return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

} // namespace

std::optional<fault_spec> parse_fault_spec(std::string_view text, std::string& error) {
    fault_spec spec;
    spec.text = std::string(trim(text));
    std::string_view rest = text;
    bool any = false;
    while (!rest.empty()) {
        auto semi = rest.find(';');
        std::string_view item = trim(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        if (item.empty())
            continue;
        any = true;
        auto eq = item.find('=');
        std::string_view name = trim(item.substr(0, eq));
        bool has_value = eq != std::string_view::npos;
        std::string_view value = has_value ? trim(item.substr(eq + 1)) : std::string_view{};

        auto fail = [&](std::string_view why) {
            error = "fault item '" + std::string(item) + "': " + std::string(why);
            return std::nullopt;
        };
        auto number = [&](std::uint64_t& out) { return has_value && parse_u64(value, out); };
        std::uint64_t n = 0;
        auto flag = [&](bool& f) -> bool {
            if (has_value)
                return false;
            f = true;
            return true;
        };

        if (name == "status") {
            if (!number(n) || n < 400 || n > 599)
                return fail("expected status=N with N from 400 to 599");
            spec.status = static_cast<unsigned>(n);
        } else if (name == "retry-after") {
            if (!has_value || value.empty() ||
                value.find_first_of("\r\n") != std::string_view::npos)
                return fail("expected retry-after=SECONDS or an HTTP date");
            spec.retry_after = std::string(value);
        } else if (name == "retry-after-ms") {
            if (!number(n))
                return fail("expected retry-after-ms=N");
            spec.retry_after_ms = n;
        } else if (name == "x-should-retry") {
            if (value == "true")
                spec.should_retry = true;
            else if (value == "false")
                spec.should_retry = false;
            else
                return fail("expected x-should-retry=true or x-should-retry=false");
        } else if (name == "delay-headers-ms") {
            if (!number(n))
                return fail("expected delay-headers-ms=N");
            spec.delay_headers = std::chrono::milliseconds(n);
        } else if (name == "drip-bytes-per-s") {
            if (!number(n) || n == 0)
                return fail("expected drip-bytes-per-s=N with N > 0");
            spec.drip_bytes_per_s = n;
        } else if (name == "reset-after-bytes") {
            if (!number(n))
                return fail("expected reset-after-bytes=N");
            spec.reset_after_bytes = n;
        } else if (name == "truncate-body") {
            if (!flag(spec.truncate_body))
                return fail("takes no value");
        } else if (name == "malformed-json") {
            if (!flag(spec.malformed_json))
                return fail("takes no value");
        } else if (name == "html-502") {
            if (!flag(spec.html_502))
                return fail("takes no value");
        } else if (name == "sse-error-after") {
            if (!number(n) || n > 1000)
                return fail("expected sse-error-after=K");
            spec.sse_error_after = static_cast<unsigned>(n);
        } else if (name == "sse-cut-after") {
            if (!number(n) || n > 1000)
                return fail("expected sse-cut-after=K");
            spec.sse_cut_after = static_cast<unsigned>(n);
        } else if (name == "sse-comments") {
            if (!flag(spec.sse_comments))
                return fail("takes no value");
        } else if (name == "sse-crlf" || name == "sse-cr") {
            if (has_value)
                return fail("takes no value");
            spec.sse_line_ending = name == "sse-crlf" ? line_ending::crlf : line_ending::cr;
        } else if (name == "sse-split") {
            if (!number(n) || n == 0)
                return fail("expected sse-split=N with N > 0");
            spec.sse_split = static_cast<std::size_t>(n);
        } else if (name == "close-without-response") {
            if (!flag(spec.close_without_response))
                return fail("takes no value");
        } else if (name == "times") {
            if (!number(n))
                return fail("expected times=N");
            spec.times = n;
        } else if (name == "prompt-contains") {
            if (!has_value || value.empty())
                return fail("expected prompt-contains=TEXT");
            spec.prompt_contains = std::string(value);
        } else if (name == "per-prompt") {
            if (!flag(spec.per_prompt))
                return fail("takes no value");
        } else if (name == "batch-expire-after") {
            if (!number(n))
                return fail("expected batch-expire-after=K");
            spec.batch_expire_after = n;
        } else if (name == "batch-fail-after") {
            if (!number(n))
                return fail("expected batch-fail-after=K");
            spec.batch_fail_after = n;
        } else if (name == "batch-first-poll-5xx") {
            if (!flag(spec.batch_first_poll_5xx))
                return fail("takes no value");
        } else {
            return fail("unknown fault");
        }
    }
    if (!any) {
        error = "empty fault spec";
        return std::nullopt;
    }
    return spec;
}

fault_book::fault_book(std::vector<fault_spec> global)
    : global_(std::move(global)) {}

std::optional<fault_spec> fault_book::choose(const std::vector<fault_spec>& header_specs,
                                             std::string_view key, std::string_view prompt) {
    if (!header_specs.empty())
        return choose_from(header_specs, key, prompt, 'h');
    return choose_from(global_, key, prompt, 'g');
}

bool fault_book::uses_prompt(const std::vector<fault_spec>& header_specs) const noexcept {
    const auto& specs = header_specs.empty() ? global_ : header_specs;
    for (const auto& spec : specs)
        if (spec.uses_prompt())
            return true;
    return false;
}

std::optional<fault_spec> fault_book::choose_from(const std::vector<fault_spec>& specs,
                                                  std::string_view key, std::string_view prompt,
                                                  char source) {
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const fault_spec& spec = specs[i];
        if (spec.prompt_contains && prompt.find(*spec.prompt_contains) == std::string_view::npos)
            continue;
        if (!spec.times)
            return spec;
        // Key: where the spec came from, its position and text, and the request's fault key, so
        // that two tests using different keys (or different specs) never share a counter.
        std::string counter;
        counter.reserve(key.size() + spec.text.size() + 24 + (spec.per_prompt ? prompt.size() : 0));
        counter += source;
        counter += std::to_string(i);
        counter += '\x1f';
        counter += spec.text;
        counter += '\x1f';
        counter += key;
        if (spec.per_prompt) {
            counter += '\x1f';
            counter += prompt;
        }
        std::lock_guard lock(mutex_);
        auto& used = used_[counter];
        if (used < *spec.times) {
            ++used;
            return spec;
        }
    }
    return std::nullopt;
}

} // namespace openai::emulator
