#include "api/atomic_file.hpp"

#include <cerrno>
#include <random>

#include <fcntl.h>
#include <unistd.h>

namespace openai::detail {
namespace {

bool fail(std::error_code& ec, std::string& what, int err, const std::string& action,
          const std::filesystem::path& path) {
    ec = std::error_code(err, std::generic_category());
    what = "cannot " + action + " '" + path.string() + "': " + ec.message();
    return false;
}

} // namespace

atomic_file::~atomic_file() {
    discard();
}

bool atomic_file::open(const std::filesystem::path& target, std::error_code& ec,
                       std::string& what) {
    discard();
    target_ = target;
    written_ = 0;
    if (target.filename().empty())
        return fail(ec, what, EISDIR, "write", target);
    const auto dir = target.parent_path();
    thread_local std::mt19937_64 rng{std::random_device{}()};
    for (int attempt = 0; attempt < 16; ++attempt) {
        temp_ = (dir.empty() ? std::filesystem::path(".") : dir) /
                ("." + target.filename().string() + "." + std::to_string(rng() % 1000000000ull) +
                 ".part");
        // 0666 and the process's umask: the permissions any new file of the user's would get.
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd_ >= 0)
            return true;
        if (errno != EEXIST) {
            const int err = errno;
            temp_.clear();
            return fail(ec, what, err, "create a temporary file for", target);
        }
    }
    temp_.clear();
    return fail(ec, what, EEXIST, "create a temporary file for", target);
}

bool atomic_file::write(std::string_view data, std::error_code& ec, std::string& what) {
    while (!data.empty()) {
        const auto n = ::write(fd_, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail(ec, what, errno, "write", target_);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
        written_ += static_cast<std::uint64_t>(n);
    }
    return true;
}

bool atomic_file::commit(std::error_code& ec, std::string& what) {
    if (::fsync(fd_) != 0)
        return fail(ec, what, errno, "write", target_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0)
        return fail(ec, what, errno, "write", target_);
    if (::rename(temp_.c_str(), target_.c_str()) != 0)
        return fail(ec, what, errno, "rename the temporary file onto", target_);
    temp_.clear();
    return true;
}

void atomic_file::discard() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    if (!temp_.empty()) {
        ::unlink(temp_.c_str());
        temp_.clear();
    }
}

} // namespace openai::detail
