#include "output.hpp"

#include "arguments.hpp"

#include <openai/image_format.hpp>
#include <openai/json.hpp>

#include <boost/json/array.hpp>

#include <algorithm>
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

std::optional<std::string> image_extension(std::string_view bytes) {
    if (auto f = detect_image_format(bytes))
        return std::string(to_string(*f));
    return std::nullopt;
}

namespace {

std::string describe_bytes(std::string_view bytes, std::uint64_t size) {
    std::string out = std::to_string(size) + " byte" + (size == 1 ? "" : "s") +
                      " that are no PNG, JPEG or WebP image";
    if (bytes.empty())
        return out;
    const auto head = bytes.substr(0, 16);
    out += " (first bytes:";
    char hex[4];
    for (char c : head) {
        std::snprintf(hex, sizeof hex, " %02x",
                      static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += hex;
    }
    out += " \"";
    for (char c : head)
        out += std::isprint(static_cast<unsigned char>(c)) ? c : '.';
    out += "\")";
    return out;
}

} // namespace

not_an_image::not_an_image(std::string_view bytes, std::optional<std::uint64_t> total_size)
    : std::runtime_error("the server returned " +
                         describe_bytes(bytes, total_size.value_or(bytes.size())) +
                         "; nothing was saved (--keep-unknown saves such results as .bin)") {}

std::string extension_or_throw(std::string_view bytes, bool keep_unknown) {
    if (auto ext = image_extension(bytes))
        return *ext;
    if (keep_unknown)
        return "bin";
    throw not_an_image(bytes);
}

std::string checked_stem(const std::string& name) {
    const auto refuse = [&](const std::string& why) {
        throw usage_error("--name '" + name + "' is not usable: " + why);
    };
    if (name.empty())
        refuse("it is empty");
    if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos)
        refuse("a name, not a path: no '/' or '\\' (use --out DIR for the folder)");
    if (name == "." || name == "..")
        refuse("'.' and '..' are not file names");
    if (name.size() > 200)
        refuse("longer than 200 bytes");
    for (char c : name)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            refuse("it contains control characters");
    return name;
}

std::string free_stem(const fs::path& dir, const std::string& stem) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        names.push_back(it->path().filename().string());
    for (int i = 1; i < 10000; ++i) {
        auto candidate = i == 1 ? stem : stem + "-" + std::to_string(i);
        const auto prefix = candidate + ".";
        if (std::none_of(names.begin(), names.end(),
                         [&](const std::string& n) { return n.starts_with(prefix); }))
            return candidate;
    }
    throw std::runtime_error("no free file name for '" + stem + "' in '" + dir.string() + "'");
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
                             {"request_id", info.request_id},
                             {"outcome", to_string(info.outcome)}};
    const api_error none;
    const api_error& api = info.api ? *info.api : none;
    line["error_type"] = optional_string(api.type);
    line["code"] = optional_string(api.code);
    line["param"] = optional_string(api.param);
    if (info.retry_after)
        line["retry_after_ms"] = info.retry_after->count();
    return line;
}

std::string_view describe_outcome(request_outcome outcome) {
    switch (outcome) {
    case request_outcome::not_sent:
        return "not sent: the request did not reach the server, nothing was billed";
    case request_outcome::refused:
        return "refused: the server answered with an error, no image was made";
    case request_outcome::unknown:
        break;
    }
    return "unknown: the request reached the server; it may have been processed and billed "
           "(not sent again; --retry-unknown allows that)";
}

std::string describe_error(const error_info& info) {
    std::string out = "error: " + info.message;
    if (!info.request_id.empty())
        out += "\n  request id: " + info.request_id;
    out += "\n  outcome: ";
    out += describe_outcome(info.outcome);
    return out;
}

} // namespace openai::cli
