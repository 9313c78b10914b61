// Azure's authentication header, download headers without credentials, and image::save.
#include "api/http_head.hpp"

#include <openai/client_config.hpp>
#include <openai/responses.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace {

const openai::header* find(const openai::header_list& list, const std::string& name) {
    for (const auto& h : list)
        if (h.first == name)
            return &h;
    return nullptr;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct scratch {
    fs::path path;
    scratch() {
        std::random_device rd;
        path = fs::temp_directory_path() / ("openai_save_test_" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::size_t entries() const {
        return static_cast<std::size_t>(
            std::distance(fs::directory_iterator(path), fs::directory_iterator()));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(azure_and_save)

BOOST_AUTO_TEST_CASE(azure_sends_api_key_instead_of_a_bearer_token) {
    auto config = openai::client_config::for_azure("https://res.openai.azure.com", "gpt-image-1",
                                                   "2025-04-01-preview", "azure-key");
    BOOST_TEST_REQUIRE(config.azure.has_value());
    BOOST_TEST(config.azure->deployment == "gpt-image-1");
    const auto headers = openai::detail::standard_headers(config, {});
    BOOST_TEST_REQUIRE(find(headers, "api-key") != nullptr);
    BOOST_TEST(find(headers, "api-key")->second == "azure-key");
    BOOST_TEST(find(headers, "Authorization") == nullptr);

    openai::client_config plain;
    plain.api_key = "sk-x";
    const auto bearer = openai::detail::standard_headers(plain, {});
    BOOST_TEST_REQUIRE(find(bearer, "Authorization") != nullptr);
    BOOST_TEST(find(bearer, "Authorization")->second == "Bearer sk-x");
    BOOST_TEST(find(bearer, "api-key") == nullptr);
}

BOOST_AUTO_TEST_CASE(download_headers_carry_no_credentials) {
    openai::request_options options;
    options.extra_headers.emplace_back("X-Trace", "t1");
    const auto headers = openai::detail::download_headers(options);
    BOOST_TEST(find(headers, "Authorization") == nullptr);
    BOOST_TEST(find(headers, "api-key") == nullptr);
    BOOST_TEST(find(headers, "User-Agent") != nullptr);
    BOOST_TEST_REQUIRE(find(headers, "X-Trace") != nullptr);
}

BOOST_AUTO_TEST_CASE(save_writes_atomically_and_replaces) {
    scratch dir;
    const auto target = dir.path / "out.png";
    openai::image img;
    img.bytes = std::string("\x89PNG first version", 18);
    img.save(target);
    BOOST_TEST(read(target) == *img.bytes);
    BOOST_TEST(dir.entries() == 1u); // no temporary left

    img.bytes = std::string(300000, 'z'); // replaces, whole
    img.save(target);
    BOOST_TEST(read(target) == *img.bytes);
    BOOST_TEST(dir.entries() == 1u);

    std::error_code ec;
    img.save(dir.path / "missing-dir" / "x.png", ec);
    BOOST_TEST((ec == std::errc::no_such_file_or_directory));
    BOOST_TEST(dir.entries() == 1u);
    try {
        img.save(dir.path / "missing-dir" / "x.png");
        BOOST_FAIL("expected an exception");
    } catch (const fs::filesystem_error& e) {
        BOOST_TEST(std::string(e.what()).find("missing-dir") != std::string::npos, e.what());
    }

    openai::image url_only;
    url_only.url = "https://example.com/x.png";
    url_only.save(dir.path / "url.png", ec);
    BOOST_TEST((ec == std::errc::invalid_argument));
    BOOST_TEST(!fs::exists(dir.path / "url.png"));
    BOOST_CHECK_THROW(url_only.save(dir.path / "url.png"), fs::filesystem_error);
}

// Sets environment variables for one scope and restores them after.
struct env_guard {
    std::vector<std::pair<std::string, std::optional<std::string>>> saved;
    void set(const std::string& name, const char* value) {
        const char* old = std::getenv(name.c_str());
        saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
        if (value)
            ::setenv(name.c_str(), value, 1);
        else
            ::unsetenv(name.c_str());
    }
    ~env_guard() {
        for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
            if (it->second)
                ::setenv(it->first.c_str(), it->second->c_str(), 1);
            else
                ::unsetenv(it->first.c_str());
        }
    }
};

BOOST_AUTO_TEST_CASE(from_env_reads_the_proxy_variables) {
    {
        env_guard env;
        env.set("https_proxy", nullptr);
        env.set("HTTPS_PROXY", "http://upper:3128");
        env.set("http_proxy", nullptr);
        env.set("HTTP_PROXY", "http://plain-upper:3128");
        env.set("no_proxy", "lower.example");
        env.set("NO_PROXY", "upper.example");
        env.set("REQUEST_METHOD", nullptr);
        const auto c = openai::client_config::from_env();
        BOOST_TEST(c.proxy.https_proxy == "http://upper:3128");
        BOOST_TEST(c.proxy.http_proxy == "http://plain-upper:3128");
        BOOST_TEST(c.proxy.no_proxy == "lower.example"); // lower-case wins, as in curl
    }
    {
        env_guard env;
        env.set("https_proxy", "http://lower:3128");
        env.set("HTTPS_PROXY", "http://upper:3128");
        env.set("http_proxy", nullptr);
        env.set("HTTP_PROXY", "http://injected-by-a-cgi-header:1");
        env.set("REQUEST_METHOD", "GET"); // a CGI program: HTTP_PROXY may come from the client
        env.set("no_proxy", nullptr);
        env.set("NO_PROXY", nullptr);
        const auto c = openai::client_config::from_env();
        BOOST_TEST(c.proxy.https_proxy == "http://lower:3128");
        BOOST_TEST(c.proxy.http_proxy.empty());
        BOOST_TEST(c.proxy.no_proxy.empty());
    }
}

BOOST_AUTO_TEST_SUITE_END()
