// JSON of the Files and Batch APIs: FileObject, the delete answer, the Batch object and its
// list, and the body of POST /v1/batches. Sans-I/O; unknown keys are ignored, a wrong type names
// its JSON path.
#include "codec/json_read.hpp"

#include <openai/batch_types.hpp>
#include <openai/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace openai {

namespace {

using codec::find_member;
using codec::json_path;
using codec::json_read_error;
using codec::read_bool;
using codec::read_int64;
using codec::read_object;
using codec::read_string;

template <class T, class F>
decode_result<T> run(std::string_view body, F&& f) {
    decode_result<T> out;
    boost::system::error_code ec;
    auto root = boost::json::parse(body, ec);
    if (ec) {
        out.code = errc::invalid_json;
        out.message = "invalid JSON: " + ec.message();
        return out;
    }
    try {
        out.value = f(root, json_path{});
    } catch (json_read_error& e) {
        out.code = e.failure.code;
        out.message = std::move(e.failure.message);
    }
    return out;
}

std::string required_string(const boost::json::object& o, std::string_view key,
                            const json_path& p) {
    auto s = read_string(o, key, p);
    if (!s)
        codec::throw_at(p.member(key), errc::json_type_mismatch, "missing");
    return std::move(*s);
}

file_object read_file(const boost::json::value& v, const json_path& p) {
    const auto& o = read_object(v, p);
    file_object f;
    f.id = required_string(o, "id", p);
    f.bytes = static_cast<std::uint64_t>(read_int64(o, "bytes", p).value_or(0));
    f.created_at = read_int64(o, "created_at", p).value_or(0);
    f.expires_at = read_int64(o, "expires_at", p);
    f.filename = read_string(o, "filename", p).value_or("");
    f.purpose = read_string(o, "purpose", p).value_or("");
    f.status = read_string(o, "status", p);
    if (const auto* d = find_member(o, "status_details"))
        f.status_details =
            d->is_string() ? std::string(d->as_string()) : boost::json::serialize(*d);
    return f;
}

batch read_batch(const boost::json::value& v, const json_path& p) {
    const auto& o = read_object(v, p);
    batch b;
    b.id = required_string(o, "id", p);
    b.endpoint = read_string(o, "endpoint", p).value_or("");
    b.model = read_string(o, "model", p);
    if (const auto* e = find_member(o, "errors")) {
        const auto ep = p.member("errors");
        const auto& eo = read_object(*e, ep);
        std::vector<batch_error> list;
        if (const auto* d = find_member(eo, "data")) {
            const auto dp = ep.member("data");
            if (!d->is_array())
                codec::throw_mismatch(dp, "array", *d);
            const auto& arr = d->as_array();
            for (std::size_t i = 0; i < arr.size(); ++i) {
                const auto ip = dp.element(i);
                const auto& io = read_object(arr[i], ip);
                batch_error be;
                be.code = read_string(io, "code", ip);
                be.message = read_string(io, "message", ip);
                be.param = read_string(io, "param", ip);
                be.line = read_int64(io, "line", ip);
                list.push_back(std::move(be));
            }
        }
        b.errors = std::move(list);
    }
    b.input_file_id = read_string(o, "input_file_id", p).value_or("");
    b.completion_window = read_string(o, "completion_window", p).value_or("");
    b.status = read_string(o, "status", p).value_or("");
    b.output_file_id = read_string(o, "output_file_id", p);
    b.error_file_id = read_string(o, "error_file_id", p);
    b.created_at = read_int64(o, "created_at", p).value_or(0);
    b.in_progress_at = read_int64(o, "in_progress_at", p);
    b.expires_at = read_int64(o, "expires_at", p);
    b.finalizing_at = read_int64(o, "finalizing_at", p);
    b.completed_at = read_int64(o, "completed_at", p);
    b.failed_at = read_int64(o, "failed_at", p);
    b.expired_at = read_int64(o, "expired_at", p);
    b.cancelling_at = read_int64(o, "cancelling_at", p);
    b.cancelled_at = read_int64(o, "cancelled_at", p);
    if (const auto* rc = find_member(o, "request_counts")) {
        const auto rp = p.member("request_counts");
        const auto& ro = read_object(*rc, rp);
        batch_request_counts c;
        c.total = read_int64(ro, "total", rp).value_or(0);
        c.completed = read_int64(ro, "completed", rp).value_or(0);
        c.failed = read_int64(ro, "failed", rp).value_or(0);
        b.request_counts = c;
    }
    if (const auto* u = find_member(o, "usage"))
        b.usage = read_object(*u, p.member("usage"));
    if (const auto* m = find_member(o, "metadata")) {
        const auto mp = p.member("metadata");
        for (const auto& kv : read_object(*m, mp)) {
            if (!kv.value().is_string())
                codec::throw_mismatch(mp.member(kv.key()), "string", kv.value());
            b.metadata.emplace(std::string(kv.key()), std::string(kv.value().as_string()));
        }
    }
    return b;
}

} // namespace

decode_result<file_object> decode_file_object(std::string_view body) {
    return run<file_object>(body, read_file);
}

decode_result<file_deleted> decode_file_deleted(std::string_view body) {
    return run<file_deleted>(body, [](const boost::json::value& v, const json_path& p) {
        const auto& o = read_object(v, p);
        file_deleted d;
        d.id = required_string(o, "id", p);
        d.deleted = read_bool(o, "deleted", p).value_or(false);
        return d;
    });
}

decode_result<batch> decode_batch(std::string_view body) {
    return run<batch>(body, read_batch);
}

decode_result<batch_list> decode_batch_list(std::string_view body) {
    return run<batch_list>(body, [](const boost::json::value& v, const json_path& p) {
        const auto& o = read_object(v, p);
        batch_list l;
        if (const auto* d = find_member(o, "data")) {
            const auto dp = p.member("data");
            if (!d->is_array())
                codec::throw_mismatch(dp, "array", *d);
            const auto& arr = d->as_array();
            for (std::size_t i = 0; i < arr.size(); ++i)
                l.data.push_back(read_batch(arr[i], dp.element(i)));
        }
        l.first_id = read_string(o, "first_id", p);
        l.last_id = read_string(o, "last_id", p);
        l.has_more = read_bool(o, "has_more", p).value_or(false);
        return l;
    });
}

boost::json::object to_json(const batch_create_request& req) {
    boost::json::object o;
    o["input_file_id"] = req.input_file_id;
    o["endpoint"] = req.endpoint;
    o["completion_window"] = req.completion_window;
    if (!req.metadata.empty()) {
        boost::json::object m;
        for (const auto& [k, v] : req.metadata)
            m[k] = v;
        o["metadata"] = std::move(m);
    }
    if (req.output_expires_after_seconds) {
        o["output_expires_after"] = boost::json::object{
            {"anchor", "created_at"}, {"seconds", *req.output_expires_after_seconds}};
    }
    return o;
}

} // namespace openai
