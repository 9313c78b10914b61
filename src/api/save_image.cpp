#include "api/atomic_file.hpp"

#include <openai/save_image.hpp>

#include <boost/system/system_error.hpp>

#include <new>
#include <string>

namespace openai {

void save_image(std::string_view bytes, const std::filesystem::path& path,
                boost::system::error_code& ec) noexcept {
    ec.clear();
    try {
        // A hidden temporary beside the target (same file system, so the rename is atomic),
        // flushed, then renamed over it; removed on any failure.
        detail::atomic_file file;
        std::error_code failure;
        std::string what; // the thrown overload names the path itself
        if (!file.open(path, failure, what) || !file.write(bytes, failure, what) ||
            !file.commit(failure, what))
            ec = failure;
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
