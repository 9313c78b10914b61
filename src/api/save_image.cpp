// Saving decoded image bytes atomically: openai::save_image() and image::save(). One writer
// (detail::atomic_file) and one error-code type inside (std::error_code, what the file system
// reports); each public overload converts at its edge to the type its header promises.
#include "api/atomic_file.hpp"

#include <openai/responses.hpp>
#include <openai/save_image.hpp>

#include <boost/system/system_error.hpp>

#include <new>
#include <string>

namespace openai {
namespace {

// A hidden temporary beside the target (same file system, so the rename is atomic), flushed,
// then renamed over it; removed on any failure. `what` names the path.
bool write_atomically(std::string_view bytes, const std::filesystem::path& path,
                      std::error_code& ec, std::string& what) {
    detail::atomic_file file;
    return file.open(path, ec, what) && file.write(bytes, ec, what) && file.commit(ec, what);
}

bool save_bytes(const image& img, const std::filesystem::path& path, std::error_code& ec,
                std::string& what) {
    if (!img.bytes) {
        ec = std::make_error_code(std::errc::invalid_argument);
        what = "image::save: the image has no bytes (a URL result: download it with "
               "client::download)";
        return false;
    }
    return write_atomically(*img.bytes, path, ec, what);
}

} // namespace

void save_image(std::string_view bytes, const std::filesystem::path& path,
                boost::system::error_code& ec) noexcept {
    ec.clear();
    try {
        std::error_code failure;
        std::string what; // the thrown overload names the path itself
        if (!write_atomically(bytes, path, failure, what))
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

void image::save(const std::filesystem::path& path) const {
    std::error_code ec;
    std::string what;
    if (!save_bytes(*this, path, ec, what))
        throw std::filesystem::filesystem_error(what, path, ec);
}

void image::save(const std::filesystem::path& path, std::error_code& ec) const noexcept {
    ec.clear();
    try {
        std::string what;
        save_bytes(*this, path, ec, what);
    } catch (const std::bad_alloc&) {
        ec = std::make_error_code(std::errc::not_enough_memory);
    }
}

} // namespace openai
