#include "api/file_reader.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace openai::detail {
namespace {

std::string errno_message(int err) {
    return std::generic_category().message(err);
}

std::FILE* open_for_reading(const std::filesystem::path& p) noexcept {
#ifdef _WIN32
    return ::_wfopen(p.c_str(), L"rb");
#else
    return std::fopen(p.c_str(), "rb");
#endif
}

class stdio_file final : public codec::multipart_file_stream {
public:
    stdio_file(std::filesystem::path path, std::FILE* file) noexcept
        : path_(std::move(path))
        , file_(file) {}

    std::optional<std::uint64_t> size(std::string& error) override {
        std::error_code sec;
        const auto n = std::filesystem::file_size(path_, sec);
        if (sec) {
            error = sec.message();
            return std::nullopt;
        }
        return n;
    }

    std::size_t read(char* buf, std::size_t size, std::string& error) override {
        const std::size_t got = std::fread(buf, 1, size, file_.get());
        if (got < size && std::ferror(file_.get()))
            error = errno_message(errno);
        return got;
    }

private:
    struct closer {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };

    std::filesystem::path path_;
    std::unique_ptr<std::FILE, closer> file_;
};

class stdio_file_system final : public codec::multipart_file_system {
public:
    std::optional<std::uint64_t> regular_file_size(const std::filesystem::path& path,
                                                   std::string& error) const override {
        std::error_code sec;
        const auto status = std::filesystem::status(path, sec);
        if (sec || !std::filesystem::exists(status)) {
            error = sec ? sec.message() : "no such file";
            return std::nullopt;
        }
        if (!std::filesystem::is_regular_file(status)) {
            error = "not a regular file";
            return std::nullopt;
        }
        const auto size = std::filesystem::file_size(path, sec);
        if (sec) {
            error = sec.message();
            return std::nullopt;
        }
        return size;
    }

    std::unique_ptr<codec::multipart_file_stream> open(const std::filesystem::path& path,
                                                       std::string& error) const override {
        std::FILE* f = open_for_reading(path);
        if (!f) {
            error = errno_message(errno);
            return nullptr;
        }
        return std::make_unique<stdio_file>(path, f);
    }
};

} // namespace

std::shared_ptr<const codec::multipart_file_system> local_files() {
    static const auto instance = std::make_shared<const stdio_file_system>();
    return instance;
}

codec::multipart_options local_file_options() {
    codec::multipart_options options;
    options.files = local_files();
    return options;
}

} // namespace openai::detail
