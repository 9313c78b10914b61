// image::save: the decoded bytes of a result, written atomically.
#include "api/atomic_file.hpp"

#include <openai/responses.hpp>

namespace openai {
namespace {

bool save_bytes(const image& img, const std::filesystem::path& path, std::error_code& ec,
                std::string& what) {
    if (!img.bytes) {
        ec = std::make_error_code(std::errc::invalid_argument);
        what = "image::save: the image has no bytes (a URL result: download it with "
               "client::download)";
        return false;
    }
    detail::atomic_file file;
    return file.open(path, ec, what) && file.write(*img.bytes, ec, what) && file.commit(ec, what);
}

} // namespace

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
