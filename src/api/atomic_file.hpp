// A file that appears whole or not at all: written to a temporary beside its final name, flushed,
// then renamed over it. Readers of the final name never see half an image; a failure (or an
// abandoned download) leaves no temporary behind.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace openai::detail {

class atomic_file {
public:
    atomic_file() = default;
    ~atomic_file(); // removes the temporary unless committed
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;

    // Creates the temporary in `target`'s directory (which must exist). On failure returns false
    // and sets `ec` and `what` (naming the path).
    bool open(const std::filesystem::path& target, std::error_code& ec, std::string& what);
    bool write(std::string_view data, std::error_code& ec, std::string& what);
    // Flushes to disk and renames over the target (replacing an existing file).
    bool commit(std::error_code& ec, std::string& what);
    // Drops the temporary now.
    void discard() noexcept;

    std::uint64_t size() const noexcept { return written_; }

private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    int fd_ = -1;
    std::uint64_t written_ = 0;
};

} // namespace openai::detail
