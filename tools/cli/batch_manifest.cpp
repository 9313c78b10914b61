#include "batch_manifest.hpp"

#include "output.hpp"

#include <openai/error.hpp>

#include <boost/asio/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace openai::cli::batch {

namespace fs = std::filesystem;

namespace {

std::string hex64(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::uint64_t parse_hex64(std::string_view s) {
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v, 16);
    return v;
}

boost::json::object base_record(const batch_item& item, std::string_view status) {
    return {{"id", item.id},
            {"line", item.line},
            {"status", status},
            {"input_hash", hex64(item.fingerprint)}};
}

void add_timing(boost::json::object& record, const timing& t) {
    record["started_ms"] = t.started_ms;
    record["finished_ms"] = t.finished_ms;
}

std::runtime_error errno_error(const std::string& what, const fs::path& path, int err) {
    return std::runtime_error(what + " '" + path.string() +
                              "': " + std::generic_category().message(err));
}

void write_all(int fd, std::string_view bytes, const fs::path& path) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw errno_error("cannot write", path, errno);
        }
        done += static_cast<std::size_t>(n);
    }
}

void fsync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw errno_error("cannot open directory", dir, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0 && err != EINVAL) // some file systems cannot sync directories
        throw errno_error("cannot sync directory", dir, err);
}

} // namespace

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool retryable(const error_info& info) {
    if (info.code == boost::asio::error::operation_aborted)
        return true;
    if (info.code == errc::invalid_request || info.code == errc::unsupported_image_type ||
        info.code == errc::invalid_file_name)
        return false;
    switch (info.http_status) {
    case 400:
    case 401:
    case 403:
    case 404:
    case 422:
        return false;
    default:
        return true;
    }
}

boost::json::object ok_record(const batch_item& item, const images_response& response,
                              const std::vector<std::string>& files, const timing& t) {
    boost::json::object record = base_record(item, "ok");
    std::vector<fs::path> paths(files.begin(), files.end());
    for (auto& [key, value] : result_line(response, paths))
        if (key != "type")
            record[key] = value;
    add_timing(record, t);
    return record;
}

boost::json::object error_record(const batch_item& item, const error_info& info, const timing& t) {
    boost::json::object record = base_record(item, "error");
    record["retryable"] = retryable(info);
    boost::json::object error = error_line(info);
    error.erase("type");
    record["request_id"] = info.request_id;
    record["attempts"] = info.attempts;
    record["error"] = std::move(error);
    add_timing(record, t);
    return record;
}

boost::json::object cancelled_record(const batch_item& item, request_outcome outcome,
                                     const timing& t) {
    boost::json::object record = base_record(item, "cancelled");
    record["retryable"] = true;
    record["outcome"] = to_string(outcome);
    add_timing(record, t);
    return record;
}

boost::json::object started_record(const batch_item& item, const timing& t) {
    boost::json::object record = base_record(item, "started");
    record["started_ms"] = t.started_ms;
    return record;
}

boost::json::object invalid_record(const batch_item& item) {
    boost::json::object record = base_record(item, "error");
    record["retryable"] = false;
    boost::json::object error{
        {"error_code", item.error_code}, {"message", item.message}, {"outcome", "not_sent"}};
    error["param"] =
        item.param.empty() ? boost::json::value(nullptr) : boost::json::value(item.param);
    record["error"] = std::move(error);
    return record;
}

std::string encode_record(const boost::json::object& record) {
    std::string line = boost::json::serialize(record);
    line += '\n';
    return line;
}

manifest_scan scan_manifest(std::string_view text) {
    manifest_scan scan;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos)
            break; // a torn last line: not a record, and cut away before appending
        const std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        scan.valid_length = pos;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;
        boost::system::error_code ec;
        auto value = boost::json::parse(line, ec);
        const boost::json::object* record = !ec ? value.if_object() : nullptr;
        const boost::json::value* id = record ? record->if_contains("id") : nullptr;
        const boost::json::value* status = record ? record->if_contains("status") : nullptr;
        if (!id || !id->is_string() || !status || !status->is_string()) {
            ++scan.unreadable_lines;
            continue;
        }
        ++scan.records;
        auto& state = scan.ids[std::string(id->as_string())];
        state.status = std::string(status->as_string());
        const auto* retry = record->if_contains("retryable");
        state.retryable = !(retry && retry->is_bool() && !retry->as_bool());
        const auto* outcome = record->if_contains("outcome");
        if (const auto* error = record->if_contains("error");
            !outcome && error && error->is_object())
            outcome = error->as_object().if_contains("outcome");
        state.may_have_been_billed =
            state.status == "started" ||
            (outcome && outcome->is_string() && outcome->as_string() == "unknown");
        const auto* hash = record->if_contains("input_hash");
        state.fingerprint = hash && hash->is_string() ? parse_hex64(hash->as_string()) : 0;
        ++state.records;
    }
    return scan;
}

resume_action on_resume(const manifest_scan& scan, const batch_item& item, bool retry_unknown) {
    auto it = scan.ids.find(item.id);
    if (it == scan.ids.end())
        return resume_action::run;
    const recorded_state& s = it->second;
    if (s.status == "ok")
        return resume_action::done; // never generate a finished image again
    // An edited line is a new request: what the old one may have cost does not hold it back.
    if (s.fingerprint != item.fingerprint)
        return resume_action::run;
    if (s.status == "error" && !s.retryable)
        return resume_action::failed_for_good;
    if (s.may_have_been_billed && !retry_unknown)
        return resume_action::held_unknown;
    return resume_action::run;
}

manifest_writer::manifest_writer(const fs::path& path, std::optional<std::size_t> truncate_to)
    : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw errno_error("cannot open", path, errno);
    if (truncate_to && ::ftruncate(fd_, static_cast<off_t>(*truncate_to)) != 0) {
        const int err = errno;
        ::close(fd_);
        throw errno_error("cannot truncate", path, err);
    }
}

manifest_writer::~manifest_writer() {
    if (fd_ >= 0)
        ::close(fd_);
}

void manifest_writer::append(const boost::json::object& record) {
    const std::string line = encode_record(record);
    const std::lock_guard lock(append_mutex_);
    // One write(): with O_APPEND the line lands whole at the end, also when another process
    // (a shard) appends to the same file.
    const off_t before = ::lseek(fd_, 0, SEEK_END);
    try {
        write_all(fd_, line, path_);
    } catch (...) {
        // A full disk can take part of the line: cut it off again, so that the file holds
        // whole records only (resume would drop a torn tail too, but readers meanwhile would
        // see it). Appends of this process wait on the mutex. Only a shard's append landing
        // between our partial write and this check, on the same full disk, could be cut; a
        // resumed run then sees that shard's line missing and runs it again.
        struct stat st {};
        if (before >= 0 && ::fstat(fd_, &st) == 0 && st.st_size > before &&
            st.st_size < before + static_cast<off_t>(line.size()))
            (void)::ftruncate(fd_, before);
        throw;
    }
    if (::fdatasync(fd_) != 0)
        throw errno_error("cannot sync", path_, errno);
}

void write_file_atomically(const fs::path& dir, const std::string& name, std::string_view bytes) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("cannot create directory '" + dir.string() + "': " + ec.message());
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const fs::path temp = dir / ("." + name + "." + hex64(rng()) + ".tmp");
    const fs::path target = dir / name;
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        throw errno_error("cannot create", temp, errno);
    try {
        write_all(fd, bytes, temp);
        if (::fsync(fd) != 0)
            throw errno_error("cannot sync", temp, errno);
    } catch (...) {
        ::close(fd);
        ::unlink(temp.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw errno_error("cannot write", temp, err);
    }
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw errno_error("cannot rename to", target, err);
    }
    fsync_directory(dir);
}

void remove_unrecorded_files(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (!entry.is_regular_file(ec))
            continue;
        const std::string name = entry.path().filename().string();
        const bool ours =
            name.starts_with("image-") || (name.starts_with(".image-") && name.ends_with(".tmp"));
        if (ours)
            fs::remove(entry.path(), ec);
    }
}

std::string image_file_name(std::size_t k, const std::string& extension) {
    return "image-" + std::to_string(k) + "." + extension;
}

} // namespace openai::cli::batch
