#include "emulator/file_store.hpp"

#include <chrono>

namespace openai::emulator {

std::string random_id(std::string_view prefix, std::mt19937_64& random) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string id(prefix);
    for (int i = 0; i < 24; ++i)
        id += alphabet[random() % (sizeof alphabet - 1)];
    return id;
}

std::int64_t unix_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

boost::json::object file_json(const stored_file& f) {
    boost::json::object o;
    o["id"] = f.id;
    o["object"] = "file";
    o["bytes"] = f.content.size();
    o["created_at"] = f.created_at;
    o["expires_at"] =
        f.expires_at ? boost::json::value(*f.expires_at) : boost::json::value(nullptr);
    o["filename"] = f.filename;
    o["purpose"] = f.purpose;
    o["status"] = "processed";
    o["status_details"] = nullptr;
    return o;
}

file_store::file_store()
    : random_(std::random_device{}()) {}

stored_file file_store::add(std::string filename, std::string purpose, byte_list content,
                            std::int64_t created_at, std::optional<std::int64_t> expires_at) {
    std::lock_guard lock(mutex_);
    stored_file f;
    f.id = random_id("file-", random_);
    f.filename = std::move(filename);
    f.purpose = std::move(purpose);
    f.created_at = created_at;
    f.expires_at = expires_at;
    f.content = std::move(content);
    std::uint64_t seq = ++sequence_;
    by_id_[f.id] = seq;
    files_[seq] = f;
    ++created_;
    return f;
}

std::optional<stored_file> file_store::get(const std::string& id, bool count_download) {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end())
        return std::nullopt;
    stored_file& f = files_.at(it->second);
    stored_file copy = f;
    if (count_download)
        ++f.downloads;
    return copy;
}

bool file_store::remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(id);
    if (it == by_id_.end())
        return false;
    files_.erase(it->second);
    by_id_.erase(it);
    return true;
}

file_store::page file_store::list(std::size_t limit, const std::string* after,
                                  const std::string* purpose, bool ascending) const {
    std::lock_guard lock(mutex_);
    page out;
    auto take = [&](const stored_file& f) {
        if (purpose && f.purpose != *purpose)
            return true;
        if (out.data.size() == limit) {
            out.has_more = true;
            return false;
        }
        out.data.push_back(f);
        return true;
    };
    std::optional<std::uint64_t> cursor;
    if (after) {
        auto it = by_id_.find(*after);
        if (it != by_id_.end())
            cursor = it->second;
    }
    if (ascending) {
        auto it = cursor ? files_.upper_bound(*cursor) : files_.begin();
        for (; it != files_.end(); ++it)
            if (!take(it->second))
                break;
    } else {
        auto it = cursor ? files_.lower_bound(*cursor) : files_.end();
        while (it != files_.begin()) {
            --it;
            if (!take(it->second))
                break;
        }
    }
    return out;
}

std::uint64_t file_store::created() const {
    std::lock_guard lock(mutex_);
    return created_;
}

} // namespace openai::emulator
