#include "emulator/files_api.hpp"

#include "emulator/api_errors.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace openai::emulator {
namespace {

namespace json = boost::json;

constexpr std::string_view files_prefix = "/v1/files/";
constexpr std::string_view purposes = "'assistants', 'batch', 'fine-tune', 'vision', 'user_data', "
                                      "'evals'";

reply json_reply(const json::value& v) {
    reply r;
    r.body.add(json::serialize(v));
    return r;
}

error_reply no_such_file(std::string_view id) {
    error_reply e;
    e.status = 404;
    e.message = "No such File object: " + std::string(id);
    e.param = "id";
    return e;
}

std::optional<std::uint64_t> to_number(const std::string& s) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return n;
}

std::string basename(std::string_view name) {
    auto slash = name.find_last_of("/\\");
    return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

reply upload(const received_request& req, emulator_state& state) {
    // A body refused while reading (too large) first: its kind was never set.
    if (!req.body_error.empty()) {
        error_reply e;
        e.status = req.body_error_status;
        e.message = req.body_error;
        return to_reply(e);
    }
    if (req.kind != received_request::body_kind::multipart) {
        error_reply e;
        e.message = "Invalid Content-Type: /v1/files expects multipart/form-data.";
        e.code = "invalid_content_type";
        return to_reply(e);
    }
    const received_form& form = req.form;
    if (!form.error.empty()) {
        error_reply e;
        e.message = "Malformed multipart body: " + form.error;
        e.param = "file";
        return to_reply(e);
    }
    const form_field* purpose = form.data.field("purpose");
    auto files = form.data.files_named("file");
    if (files.empty())
        return to_reply(missing_parameter("file"));
    if (!purpose)
        return to_reply(missing_parameter("purpose"));
    const std::string& p = purpose->value;
    if (p != "assistants" && p != "batch" && p != "fine-tune" && p != "vision" &&
        p != "user_data" && p != "evals")
        return to_reply(invalid_value("purpose", p, purposes));
    const form_file& file = *files.front();
    std::string filename = basename(file.filename.empty() ? "upload" : file.filename);
    if (p == "batch" && !filename.ends_with(".jsonl")) {
        error_reply e = invalid_value("file", filename, "");
        e.message = "Invalid file format for Batch API. Must be .jsonl";
        e.code = "invalid_file_format";
        return to_reply(e);
    }
    std::int64_t now = unix_seconds();
    std::optional<std::int64_t> expires;
    if (const form_field* secs = form.data.field("expires_after[seconds]")) {
        auto n = to_number(secs->value);
        if (!n || *n < 3600 || *n > 2592000)
            return to_reply(invalid_value("expires_after.seconds", secs->value,
                                          "an integer from 3600 to 2592000"));
        const form_field* anchor = form.data.field("expires_after[anchor]");
        if (anchor && anchor->value != "created_at")
            return to_reply(invalid_value("expires_after.anchor", anchor->value, "'created_at'"));
        expires = now + static_cast<std::int64_t>(*n);
    }
    byte_list content;
    // The upload's bytes are shared with the request, not copied.
    content.add(std::shared_ptr<const std::string>(file.content));
    stored_file f = state.files.add(std::move(filename), p, std::move(content), now, expires);
    return json_reply(file_json(f));
}

reply list(const target_parts& t, emulator_state& state) {
    std::size_t limit = 10000;
    if (const std::string* l = query_value(t, "limit")) {
        auto n = to_number(*l);
        if (!n || *n < 1 || *n > 10000)
            return to_reply(
                integer_out_of_range("limit", n ? static_cast<long long>(*n) : 0, 1, 10000));
        limit = static_cast<std::size_t>(*n);
    }
    bool ascending = false;
    if (const std::string* o = query_value(t, "order")) {
        if (*o != "asc" && *o != "desc")
            return to_reply(invalid_value("order", *o, "'asc', 'desc'"));
        ascending = *o == "asc";
    }
    auto page =
        state.files.list(limit, query_value(t, "after"), query_value(t, "purpose"), ascending);
    json::array data;
    for (const auto& f : page.data)
        data.push_back(file_json(f));
    json::object o;
    o["object"] = "list";
    o["first_id"] = page.data.empty() ? json::value(nullptr) : json::value(page.data.front().id);
    o["last_id"] = page.data.empty() ? json::value(nullptr) : json::value(page.data.back().id);
    o["has_more"] = page.has_more;
    o["data"] = std::move(data);
    return json_reply(o);
}

} // namespace

bool is_files_path(std::string_view path) {
    return path == "/v1/files" || path.starts_with("/v1/files/file-");
}

form_limits upload_limits() {
    form_limits l;
    l.keep_file_bytes = 512u << 20;
    l.max_field_bytes = 64 * 1024;
    return l;
}

reply files_api(const received_request& req, const target_parts& t, emulator_state& state) {
    if (t.path == "/v1/files") {
        if (req.method == "POST")
            return upload(req, state);
        if (req.method == "GET")
            return list(t, state);
        return to_reply(invalid_url(req.method, t.path));
    }
    std::string_view rest = std::string_view(t.path).substr(files_prefix.size());
    auto slash = rest.find('/');
    std::string id(rest.substr(0, slash));
    std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (tail == "/content" && req.method == "GET") {
        auto f = state.files.get(id, true);
        if (!f)
            return to_reply(no_such_file(id));
        reply r;
        r.content_type = "application/octet-stream";
        r.headers.emplace_back("content-disposition",
                               "attachment; filename=\"" + f->filename + "\"");
        r.body = std::move(f->content);
        if (state.opts.truncate_file_content && f->downloads == 0)
            r.cut_body_after = static_cast<std::size_t>(*state.opts.truncate_file_content);
        return r;
    }
    if (!tail.empty())
        return to_reply(invalid_url(req.method, t.path));
    if (req.method == "GET") {
        auto f = state.files.get(id);
        return f ? json_reply(file_json(*f)) : to_reply(no_such_file(id));
    }
    if (req.method == "DELETE") {
        if (!state.files.remove(id))
            return to_reply(no_such_file(id));
        return json_reply(json::object{{"id", id}, {"object", "file"}, {"deleted", true}});
    }
    return to_reply(invalid_url(req.method, t.path));
}

} // namespace openai::emulator
