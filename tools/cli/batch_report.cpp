#include "batch_report.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace openai::cli::batch {

namespace {

std::string text_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_string())
        return std::string(v->as_string());
    if (v && (v->is_int64() || v->is_uint64()))
        return boost::json::serialize(*v);
    return {};
}

void put_line(std::FILE* f, const std::string& line) {
    std::fputs(line.c_str(), f);
    std::fputc('\n', f);
    std::fflush(f);
}

// "ok     fox (line 3): fox/image-1.png" / "error  4 (line 4): line 4: invalid JSON ..."
std::string plain_line(const boost::json::object& record) {
    const std::string status = text_of(record, "status");
    std::string out = status;
    out.resize(10, ' ');
    out += text_of(record, "id") + " (line " + text_of(record, "line") + ")";
    if (status == "ok") {
        std::string files;
        if (const auto* f = record.if_contains("files"); f && f->is_array())
            for (const auto& p : f->as_array())
                if (p.is_string())
                    files += (files.empty() ? "" : ", ") + std::string(p.as_string());
        if (const auto* u = record.if_contains("urls"); u && u->is_array())
            for (const auto& p : u->as_array())
                if (p.is_string())
                    files += (files.empty() ? "" : ", ") + std::string(p.as_string());
        out += ": " + files;
        if (auto attempts = text_of(record, "attempts"); !attempts.empty() && attempts != "1")
            out += " (" + attempts + " attempts)";
    } else if (const auto* e = record.if_contains("error"); e && e->is_object()) {
        out += ": " + text_of(e->as_object(), "message");
    }
    return out;
}

} // namespace

reporter::~reporter() {
    clear_status();
}

void reporter::clear_status() {
    if (status_shown_) {
        std::fputs("\r\033[K", err_);
        std::fflush(err_);
        status_shown_ = false;
    }
}

void reporter::record(const boost::json::object& record, const progress_counts& counts,
                      std::optional<double> per_second) {
    switch (style_) {
    case report_style::json: {
        boost::json::object line{{"type", "line"}};
        for (const auto& [k, v] : record)
            line[k] = v;
        line["progress"] = status_json(counts, per_second);
        put_line(out_, boost::json::serialize(line));
        break;
    }
    case report_style::plain:
        put_line(out_, "[" + std::to_string(counts.finished()) + "/" +
                           std::to_string(counts.total) + "] " + plain_line(record));
        break;
    case report_style::terminal:
        // Successes show in the counters; failures deserve a line of their own.
        if (text_of(record, "status") != "ok") {
            clear_status();
            put_line(err_, plain_line(record));
        }
        status(counts, per_second);
        break;
    }
}

void reporter::status(const progress_counts& counts, std::optional<double> per_second) {
    if (style_ != report_style::terminal)
        return;
    std::fputs(("\r\033[K" + format_status(counts, per_second)).c_str(), err_);
    std::fflush(err_);
    status_shown_ = true;
}

void reporter::notice(const std::string& text) {
    if (style_ == report_style::json) {
        put_line(out_, boost::json::serialize(
                           boost::json::object{{"type", "notice"}, {"message", text}}));
        return;
    }
    clear_status();
    put_line(err_, "openai-images batch: " + text);
}

void reporter::summary(const progress_counts& counts, std::chrono::duration<double> elapsed,
                       bool interrupted, std::size_t not_started, const std::string& manifest) {
    if (style_ == report_style::json) {
        boost::json::object line{{"type", "summary"}};
        for (const auto& [k, v] : status_json(counts, std::nullopt))
            if (k != "rate_per_s" && k != "eta_s" && k != "in_flight")
                line[k] = v;
        line["not_started"] = not_started;
        line["interrupted"] = interrupted;
        line["elapsed_s"] = elapsed.count();
        line["manifest"] = manifest;
        put_line(out_, boost::json::serialize(line));
        return;
    }
    clear_status();
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f s", elapsed.count());
    std::string text = "batch: " + std::to_string(counts.ok + counts.skipped) + " ok";
    if (counts.skipped > 0)
        text += " (" + std::to_string(counts.skipped) + " from earlier runs)";
    text += ", " + std::to_string(counts.failed) + " failed";
    if (counts.cancelled > 0)
        text += ", " + std::to_string(counts.cancelled) + " cancelled";
    if (not_started > 0)
        text += ", " + std::to_string(not_started) + " not started";
    text += " of " + std::to_string(counts.total) + " in " + secs;
    if (interrupted)
        text += " (interrupted)";
    text += "; manifest: " + manifest;
    put_line(out_, text);
}

} // namespace openai::cli::batch
