#include "output.hpp"

#include <openai/json.hpp>

#include <boost/json/array.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace openai::cli {

namespace fs = std::filesystem;

std::string image_extension(std::string_view b, const images_response& response) {
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
        return "png";
    if (b.size() >= 3 && b.substr(0, 3) == std::string_view("\xff\xd8\xff", 3))
        return "jpeg";
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP")
        return "webp";
    if (response.output_format)
        return std::string(response.output_format->view());
    return "png";
}

std::string file_stem(std::string_view prompt) {
    std::string slug;
    for (char c : prompt) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u))
            slug += static_cast<char>(std::tolower(u));
        else if (!slug.empty() && slug.back() != '-')
            slug += '-';
        if (slug.size() >= 40)
            break;
    }
    while (!slug.empty() && slug.back() == '-')
        slug.pop_back();
    if (slug.empty())
        slug = "image";
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    return slug + "-" + stamp;
}

fs::path write_new_file(const fs::path& dir, const std::string& stem, const std::string& extension,
                        std::string_view bytes) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("cannot create directory '" + dir.string() + "': " + ec.message());

    // Write everything to a hidden temporary first.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const fs::path temp = dir / ("." + stem + "." + std::to_string(rng()) + ".tmp");
    {
        const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            throw std::runtime_error("cannot create '" + temp.string() +
                                     "': " + std::generic_category().message(errno));
        std::size_t done = 0;
        while (done < bytes.size()) {
            const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                const int err = errno;
                ::close(fd);
                ::unlink(temp.c_str());
                throw std::runtime_error("cannot write '" + temp.string() +
                                         "': " + std::generic_category().message(err));
            }
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd) != 0 || ::close(fd) != 0) {
            ::unlink(temp.c_str());
            throw std::runtime_error("cannot write '" + temp.string() + "'");
        }
    }
    return claim_new_name(dir, stem, extension, temp);
}

fs::path claim_new_name(const fs::path& dir, const std::string& stem, const std::string& extension,
                        const fs::path& complete) {
    // link() refuses to replace an existing file, unlike rename(): claim the first free name.
    for (int i = 1; i < 10000; ++i) {
        const fs::path target =
            dir / (stem + (i == 1 ? "" : "-" + std::to_string(i)) + "." + extension);
        if (::link(complete.c_str(), target.c_str()) == 0) {
            ::unlink(complete.c_str());
            return target;
        }
        if (errno != EEXIST) {
            const int err = errno;
            ::unlink(complete.c_str());
            throw std::runtime_error("cannot create '" + target.string() +
                                     "': " + std::generic_category().message(err));
        }
    }
    ::unlink(complete.c_str());
    throw std::runtime_error("no free file name for '" + stem + "' in '" + dir.string() + "'");
}

namespace {

boost::json::value usage_json(const std::optional<image_usage>& usage) {
    if (!usage)
        return nullptr;
    return to_json(*usage); // counts the server did not send stay absent
}

boost::json::value optional_string(const std::optional<std::string>& s) {
    if (!s)
        return nullptr;
    return boost::json::string(*s);
}

} // namespace

std::string count_text(const std::optional<std::int64_t>& count) {
    return count ? std::to_string(*count) : std::string("?");
}

boost::json::object result_line(const images_response& response,
                                const std::vector<fs::path>& files) {
    boost::json::array file_list;
    for (const auto& f : files)
        file_list.emplace_back(f.string());
    boost::json::array urls;
    boost::json::array revised;
    for (const auto& img : response.data) {
        if (img.url)
            urls.emplace_back(*img.url);
        if (img.revised_prompt)
            revised.emplace_back(*img.revised_prompt);
    }
    boost::json::object line{{"type", "result"},
                             {"files", std::move(file_list)},
                             {"usage", usage_json(response.usage)},
                             {"request_id", response.meta.request_id},
                             {"created", response.created ? boost::json::value(*response.created)
                                                          : boost::json::value(nullptr)},
                             {"attempts", response.meta.attempts}};
    if (!urls.empty())
        line["urls"] = std::move(urls);
    if (!revised.empty())
        line["revised_prompts"] = std::move(revised);
    return line;
}

boost::json::object error_line(const error_info& info) {
    boost::json::object line{{"type", "error"},
                             {"status", info.http_status},
                             {"error_code", info.code.message()},
                             {"message", info.message},
                             {"request_id", info.request_id}};
    const api_error none;
    const api_error& api = info.api ? *info.api : none;
    line["error_type"] = optional_string(api.type);
    line["code"] = optional_string(api.code);
    line["param"] = optional_string(api.param);
    if (info.retry_after)
        line["retry_after_ms"] = info.retry_after->count();
    return line;
}

std::string describe_error(const error_info& info) {
    std::string out = "error: " + info.message;
    if (!info.request_id.empty())
        out += "\n  request id: " + info.request_id;
    return out;
}

} // namespace openai::cli
