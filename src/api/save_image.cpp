#include <openai/save_image.hpp>

#include <boost/system/system_error.hpp>

#include <cerrno>
#include <cstdio>
#include <random>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace openai {

namespace {

boost::system::error_code last_error() {
    return {errno, boost::system::system_category()};
}

} // namespace

void save_image(std::string_view bytes, const std::filesystem::path& path,
                boost::system::error_code& ec) noexcept {
    ec.clear();
    try {
        const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
        // A fresh hidden name beside the target (same file system, so rename is atomic), created
        // with the usual 0666 & ~umask permissions.
        thread_local std::mt19937_64 random{std::random_device{}()};
        std::string temp;
        int fd = -1;
        for (int tries = 0; fd < 0 && tries < 100; ++tries) {
            temp =
                (dir / ("." + path.filename().string() + "." + std::to_string(random()) + ".tmp"))
                    .string();
            fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd < 0 && errno != EEXIST)
                break;
        }
        if (fd < 0) {
            ec = last_error();
            return;
        }
        auto fail = [&] {
            ec = last_error();
            ::close(fd);
            ::unlink(temp.c_str());
        };
        std::size_t done = 0;
        while (done < bytes.size()) {
            const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return fail();
            }
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd) != 0)
            return fail();
        if (::close(fd) != 0) {
            ec = last_error();
            ::unlink(temp.c_str());
            return;
        }
        if (::rename(temp.c_str(), path.c_str()) != 0) {
            ec = last_error();
            ::unlink(temp.c_str());
        }
    } catch (const std::bad_alloc&) {
        ec = make_error_code(boost::system::errc::not_enough_memory);
    } catch (...) {
        ec = make_error_code(boost::system::errc::io_error);
    }
}

void save_image(std::string_view bytes, const std::filesystem::path& path) {
    boost::system::error_code ec;
    save_image(bytes, path, ec);
    if (ec)
        throw boost::system::system_error(ec, "cannot save the image to '" + path.string() + "'");
}

} // namespace openai
