#include "contact_sheet.hpp"

#include "batch_manifest.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace openai::cli::batch {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// A relative path as a URL: every byte but unreserved ones and '/' percent-encoded.
std::string url_path(std::string_view path) {
    std::string out;
    for (char c : path) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            out += c;
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", u);
            out += hex;
        }
    }
    return out;
}

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || v->is_null())
        return {};
    if (v->is_string())
        return std::string(v->as_string());
    if (v->is_number() || v->is_bool())
        return json::serialize(*v);
    return {};
}

std::int64_t num(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_number() ? v->to_number<std::int64_t>() : -1;
}

const char* const style = R"(
:root{color-scheme:light dark;--ok:#1a7f37;--bad:#cf222e;--warn:#bf8700;--mute:#6e7781;
--card:#fff;--bg:#f6f8fa;--line:#d0d7de}
@media (prefers-color-scheme:dark){:root{--card:#161b22;--bg:#0d1117;--line:#30363d}}
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:var(--bg)}
header{padding:16px 24px 8px}h1{font-size:20px;margin:0 0 4px}.summary{color:var(--mute);margin:0}
.failed-list{margin:6px 0 0;color:var(--bad)}.failed-list a{color:var(--bad)}
.filters{padding:4px 24px 12px}
input[name=filter]{position:absolute;opacity:0}
.filters label{display:inline-block;padding:3px 10px;margin-right:6px;border:1px solid var(--line);
border-radius:12px;cursor:pointer;background:var(--card)}
#show-all:checked~.filters label[for=show-all],#show-ok:checked~.filters label[for=show-ok],
#show-error:checked~.filters label[for=show-error],
#show-cancelled:checked~.filters label[for=show-cancelled]{background:#0969da;color:#fff;
border-color:#0969da}
#show-ok:checked~main .line:not(.status-ok),#show-error:checked~main .line:not(.status-error),
#show-cancelled:checked~main .line:not(.status-cancelled){display:none}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:14px;
padding:0 24px 24px;align-items:start}
.line{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px;
overflow:hidden}
.line.status-error{border:2px solid var(--bad);background:color-mix(in srgb,var(--bad) 7%,var(--card))}
.line.status-cancelled{border:2px dashed var(--warn)}
.line.outcome-unknown{border:2px solid var(--warn);background:color-mix(in srgb,var(--warn) 10%,var(--card))}
.thumbs{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:8px}
.thumbs a{flex:1 1 110px;min-width:0}
.thumbs img{width:100%;height:200px;object-fit:contain;border-radius:4px;display:block;
background:repeating-conic-gradient(#ccc 0 25%,#fff 0 50%) 0 0/16px 16px}
.thumbs .bin{padding:20px;border:1px dashed var(--line);color:var(--mute)}
h2{font-size:15px;margin:0;display:flex;gap:8px;align-items:center;word-break:break-all}
.badge{font-size:12px;padding:1px 8px;border-radius:10px;color:#fff;background:var(--mute)}
.status-ok .badge{background:var(--ok)}.status-error .badge{background:var(--bad)}
.status-cancelled .badge,.outcome-unknown .badge{background:var(--warn)}
.prompt{margin:6px 0;white-space:pre-wrap;word-break:break-word}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0 0;color:var(--mute);
font-size:12px}dd{margin:0;word-break:break-all}
.error{margin-top:8px;padding:8px;border-radius:6px;background:color-mix(in srgb,var(--bad) 12%,var(--card));
color:var(--bad);font-size:13px;word-break:break-word}
.error .message{color:inherit;margin:4px 0 0}
.unknown-note{color:var(--warn);font-weight:600}
)";

void render_line(std::ostringstream& html, const json::object& r) {
    const auto id = str(r, "id");
    const auto status = str(r, "status");
    const json::object* error = nullptr;
    if (const auto* e = r.if_contains("error"); e && e->is_object())
        error = &e->as_object();
    const bool unknown = error && str(*error, "outcome") == "unknown";
    html << "<article class=\"line status-" << escape(status.empty() ? "unknown" : status)
         << (unknown ? " outcome-unknown" : "") << "\" id=\"line-" << escape(id)
         << "\" data-status=\"" << escape(status) << "\">\n";
    std::vector<std::string> files;
    if (const auto* f = r.if_contains("files"); f && f->is_array())
        for (const auto& v : f->as_array())
            if (v.is_string())
                files.emplace_back(v.as_string());
    if (!files.empty()) {
        html << "<div class=\"thumbs\">";
        for (const auto& file : files) {
            const auto url = url_path(file);
            if (file.ends_with(".bin"))
                html << "<a class=\"bin\" href=\"" << escape(url) << "\">" << escape(file)
                     << " (not an image)</a>";
            else
                html << "<a href=\"" << escape(url) << "\"><img src=\"" << escape(url)
                     << "\" alt=\"" << escape(file) << "\"></a>";
        }
        html << "</div>\n";
    }
    html << "<h2>" << escape(id) << " <span class=\"badge\">"
         << escape(unknown               ? "error, outcome unknown"
                   : status == "started" ? "started, no result yet"
                                         : status)
         << "</span></h2>\n";
    if (const auto prompt = str(r, "prompt"); !prompt.empty())
        html << "<p class=\"prompt\">" << escape(prompt) << "</p>\n";
    html << "<dl>";
    const auto field = [&](std::string_view name, const std::string& value) {
        if (!value.empty())
            html << "<dt>" << name << "</dt><dd>" << escape(value) << "</dd>";
    };
    field("line", str(r, "line"));
    field("model", str(r, "model"));
    field("size", str(r, "size"));
    if (const auto* u = r.if_contains("usage"); u && u->is_object()) {
        const auto& usage = u->as_object();
        field("usage", std::to_string(num(usage, "total_tokens")) + " tokens (" +
                           std::to_string(num(usage, "input_tokens")) + " in, " +
                           std::to_string(num(usage, "output_tokens")) + " out)");
    }
    field("request id", str(r, "request_id"));
    if (const auto attempts = num(r, "attempts"); attempts > 1)
        field("attempts", std::to_string(attempts));
    html << "</dl>\n";
    if (error) {
        html << "<div class=\"error\">";
        std::string head;
        const auto add = [&](std::string_view label, const std::string& value) {
            if (value.empty())
                return;
            if (!head.empty())
                head += " · ";
            head += std::string(label) + ": " + value;
        };
        add("HTTP", str(*error, "status") == "0" ? std::string() : str(*error, "status"));
        add("type", str(*error, "error_type"));
        add("code", str(*error, "code").empty() ? str(*error, "error_code") : str(*error, "code"));
        add("param", str(*error, "param"));
        html << "<b>" << escape(head) << "</b>";
        html << "<p class=\"message\">" << escape(str(*error, "message")) << "</p>";
        if (const auto rid = str(*error, "request_id"); !rid.empty())
            html << "<div>request id: <code>" << escape(rid) << "</code></div>";
        if (unknown)
            html << "<div class=\"unknown-note\">outcome unknown: the image may have been made "
                    "(and billed) although no result arrived</div>";
        html << "</div>\n";
    }
    html << "</article>\n";
}

} // namespace

void describe_request(json::object& record, const batch_item& item) {
    if (!item.request)
        return;
    record["prompt"] = item.request->prompt;
    if (item.request->model)
        record["model"] = item.request->model->view();
    if (item.request->size)
        record["size"] = item.request->size->view();
}

std::vector<json::object> latest_records(std::string_view text) {
    std::map<std::string, json::object> by_id;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            nl = text.size();
        const auto line = text.substr(pos, nl - pos);
        pos = nl + 1;
        boost::system::error_code ec;
        auto v = json::parse(line, ec);
        if (ec || !v.is_object())
            continue;
        auto& o = v.as_object();
        const auto id = str(o, "id");
        if (id.empty())
            continue;
        by_id[id] = std::move(o);
    }
    std::vector<json::object> out;
    for (auto& [id, r] : by_id)
        out.push_back(std::move(r));
    std::stable_sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
        return num(a, "line") < num(b, "line");
    });
    return out;
}

std::string render_contact_sheet(const std::vector<json::object>& records, std::string_view title) {
    std::size_t ok = 0, failed = 0, cancelled = 0, unknown = 0, started = 0;
    std::vector<std::string> failed_ids;
    for (const auto& r : records) {
        const auto status = str(r, "status");
        if (status == "ok") {
            ++ok;
        } else if (status == "cancelled") {
            ++cancelled;
        } else if (status == "started") {
            ++started; // in flight, or lost with a run that died
        } else {
            ++failed;
            failed_ids.push_back(str(r, "id"));
            if (const auto* e = r.if_contains("error");
                e && e->is_object() && str(e->as_object(), "outcome") == "unknown")
                ++unknown;
        }
    }
    const auto now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);

    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
         << "<title>" << escape(title) << " \xe2\x80\x94 openai-images batch</title>\n<style>"
         << style << "</style>\n</head>\n<body>\n<header>\n<h1>" << escape(title) << "</h1>\n"
         << "<p class=\"summary\">" << records.size() << " lines: " << ok << " ok, " << failed
         << " failed" << (unknown ? " (" + std::to_string(unknown) + " with unknown outcome)" : "")
         << ", " << cancelled << " cancelled"
         << (started ? ", " + std::to_string(started) + " started without a result yet" : "")
         << " \xc2\xb7 updated " << stamp << "</p>\n";
    if (!failed_ids.empty()) {
        html << "<p class=\"failed-list\">failed:";
        for (const auto& id : failed_ids)
            html << " <a href=\"#line-" << escape(id) << "\">" << escape(id) << "</a>";
        html << "</p>\n";
    }
    html << "</header>\n"
         << "<input type=\"radio\" name=\"filter\" id=\"show-all\" checked>\n"
         << "<input type=\"radio\" name=\"filter\" id=\"show-ok\">\n"
         << "<input type=\"radio\" name=\"filter\" id=\"show-error\">\n"
         << "<input type=\"radio\" name=\"filter\" id=\"show-cancelled\">\n"
         << "<nav class=\"filters\">show: <label for=\"show-all\">all (" << records.size()
         << ")</label><label for=\"show-ok\">ok (" << ok << ")</label><label for=\"show-error\">"
         << "failed (" << failed << ")</label><label for=\"show-cancelled\">cancelled ("
         << cancelled << ")</label></nav>\n<main>\n";
    for (const auto& r : records)
        render_line(html, r);
    html << "</main>\n</body>\n</html>\n";
    return html.str();
}

std::size_t write_contact_sheet(const fs::path& dir) {
    const auto manifest = dir / "results.jsonl";
    std::ifstream in(manifest, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read '" + manifest.string() + "'");
    std::ostringstream text;
    text << in.rdbuf();
    const auto records = latest_records(text.str());
    auto title = fs::absolute(dir).lexically_normal().filename().string();
    if (title.empty())
        title = fs::absolute(dir).lexically_normal().parent_path().filename().string();
    write_file_atomically(dir, "index.html", render_contact_sheet(records, "Batch " + title));
    return records.size();
}

contact_sheet_updater::contact_sheet_updater(fs::path dir, std::chrono::milliseconds interval)
    : dir_(std::move(dir))
    , interval_(interval) {}

void contact_sheet_updater::record_added() {
    const std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (written_ && now - last_ < interval_)
        return;
    write_locked();
}

void contact_sheet_updater::flush() {
    const std::lock_guard lock(mutex_);
    write_locked();
}

void contact_sheet_updater::write_locked() {
    try {
        write_contact_sheet(dir_);
    } catch (const std::exception& e) {
        if (!warned_)
            std::cerr << "openai-images: contact sheet not updated: " << e.what() << '\n';
        warned_ = true;
    }
    written_ = true;
    last_ = std::chrono::steady_clock::now();
}

} // namespace openai::cli::batch
