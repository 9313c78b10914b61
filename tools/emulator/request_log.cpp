#include "emulator/request_log.hpp"

#include "emulator/sha256.hpp"

namespace openai::emulator {

void request_log::add(boost::json::object record) {
    std::lock_guard lock(mutex_);
    record["seq"] = next_seq_++;
    records_.push_back(std::move(record));
    while (records_.size() > capacity_)
        records_.pop_front();
}

boost::json::array request_log::find(const query& q) const {
    std::lock_guard lock(mutex_);
    boost::json::array out;
    for (const auto& r : records_) {
        if (q.request_id) {
            auto* id = r.if_contains("request_id");
            if (!id || !id->is_string() || id->get_string() != *q.request_id)
                continue;
        }
        if (q.fault_key) {
            auto* key = r.if_contains("fault_key");
            if (!key || !key->is_string() || key->get_string() != *q.fault_key)
                continue;
        }
        out.push_back(r);
    }
    if (q.limit != 0 && out.size() > q.limit)
        out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(q.limit));
    return out;
}

void request_log::clear() {
    std::lock_guard lock(mutex_);
    records_.clear();
}

namespace {
void raise_peak(std::atomic<std::uint64_t>& peak, std::uint64_t now) {
    auto seen = peak.load(std::memory_order_relaxed);
    while (now > seen && !peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
    }
}
} // namespace

void server_stats::connection_opened() noexcept {
    connections_accepted.fetch_add(1, std::memory_order_relaxed);
    raise_peak(connections_peak, connections_open.fetch_add(1, std::memory_order_relaxed) + 1);
}

void server_stats::stream_opened() noexcept {
    raise_peak(streams_peak, streams_open.fetch_add(1, std::memory_order_relaxed) + 1);
}

boost::json::object server_stats::to_json() const {
    boost::json::object o;
    auto get = [](const std::atomic<std::uint64_t>& a) {
        return a.load(std::memory_order_relaxed);
    };
    o["connections_accepted"] = get(connections_accepted);
    o["connections_open"] = get(connections_open);
    o["connections_peak"] = get(connections_peak);
    o["tls_handshake_failures"] = get(tls_handshake_failures);
    o["requests_served"] = get(requests_served);
    o["streams_open"] = get(streams_open);
    o["streams_peak"] = get(streams_peak);
    o["faults_fired"] = get(faults_fired);
    o["bytes_received"] = get(bytes_received);
    o["bytes_sent"] = get(bytes_sent);
    return o;
}

boost::json::value summarize_json(const boost::json::value& v, std::size_t max_string) {
    switch (v.kind()) {
    case boost::json::kind::string: {
        const auto& s = v.get_string();
        if (s.size() <= max_string)
            return v;
        boost::json::object info;
        info["length"] = s.size();
        info["sha256"] = sha256::hex(std::string_view(s.data(), s.size()));
        info["head"] = std::string_view(s.data(), 64);
        boost::json::object wrapped;
        wrapped["$string"] = std::move(info);
        return wrapped;
    }
    case boost::json::kind::array: {
        boost::json::array out;
        for (const auto& e : v.get_array())
            out.push_back(summarize_json(e, max_string));
        return out;
    }
    case boost::json::kind::object: {
        boost::json::object out;
        for (const auto& kv : v.get_object())
            out[kv.key()] = summarize_json(kv.value(), max_string);
        return out;
    }
    default:
        return v;
    }
}

} // namespace openai::emulator
