// Peak memory while uploading 16 images of 50 MB each in one edit: the files stream from disk in
// chunks, so the client process grows by a few MB, not by the 800 MB it sends. Measured in a
// separate process (openai_images_upload_probe) with the kernel's peak-RSS mark (VmHWM).
#include "client_fixture.hpp"
#include "emulator/image_synth.hpp"

#include <boost/json/parse.hpp>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace em = openai::emulator;
namespace fs = std::filesystem;
using namespace openai::test;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// Instrumented builds are slow and keep freed memory in quarantine: a smaller upload suffices to
// check that nothing grows with the files.
constexpr std::uint64_t image_bytes = 4'000'000;
#else
constexpr std::uint64_t image_bytes = 50'000'000; // the API's limit is "less than 50MB"
#endif
constexpr int image_count = 16;
constexpr long bound_kb = 64 * 1024;

void put_be32(std::string& s, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        s += static_cast<char>((v >> shift) & 0xff);
}

// A PNG signature and IHDR chunk (all that the client and the emulator read of an input), then an
// IDAT chunk up to `size` bytes in all, whose content is a sparse run of zeros: writing 800 MB
// takes no time, and the bytes are the same on every run.
fs::path large_png(const fs::path& path, std::uint32_t side, std::uint64_t size) {
    std::string head("\x89PNG\r\n\x1a\n", 8);
    put_be32(head, 13);
    head += "IHDR";
    put_be32(head, side);
    put_be32(head, side);
    head += std::string("\x08\x06\x00\x00\x00", 5);
    head += std::string("\x5c\x6d\x72\x66", 4); // CRC, not checked by either side
    // One IDAT chunk spanning the rest (its data and CRC are zeros): readers stop there.
    put_be32(head, static_cast<std::uint32_t>(size - head.size() - 12));
    head += "IDAT";
    std::ofstream(path, std::ios::binary) << head;
    fs::resize_file(path, size);
    return path;
}

struct process_result {
    int status = -1;
    std::string out;
};

process_result run_process(const std::vector<std::string>& args) {
    int fds[2];
    BOOST_TEST_REQUIRE(::pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    BOOST_TEST_REQUIRE(rc == 0, "cannot start " << args[0]);
    process_result result;
    char buf[4096];
    for (;;) {
        const auto n = ::read(fds[0], buf, sizeof buf);
        if (n > 0)
            result.out.append(buf, static_cast<std::size_t>(n));
        else if (n == 0 || errno != EINTR)
            break;
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

} // namespace

BOOST_AUTO_TEST_SUITE(memory)

BOOST_AUTO_TEST_CASE(sixteen_large_images_upload_in_bounded_memory) {
    const char* probe = std::getenv("OPENAI_IMAGES_UPLOAD_PROBE");
    BOOST_TEST_REQUIRE(probe != nullptr, "OPENAI_IMAGES_UPLOAD_PROBE is not set (run via ctest)");

    std::random_device rd;
    const fs::path dir =
        fs::temp_directory_path() /
        ("openai-memory-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir);
    struct cleanup {
        fs::path p;
        ~cleanup() {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } remove_dir{dir};

    em::image_spec spec;
    spec.prompt = "probe mask";
    spec.width = spec.height = 64;
    const auto mask = dir / "mask.png";
    std::ofstream(mask, std::ios::binary) << em::synthesize(spec).bytes;
    const auto warmup = large_png(dir / "warmup.png", 64, 4096);

    const auto key = unique_key("memory");
    std::vector<std::string> args{probe,
                                  emulator().base_url() + "/v1",
                                  emulator().ca_file().string(),
                                  key,
                                  warmup.string(),
                                  mask.string()};
    for (int i = 0; i < image_count; ++i) {
        // The first image matches the mask; the others have distinct sizes to check the order.
        const auto side = static_cast<std::uint32_t>(64 + i);
        args.push_back(
            large_png(dir / ("big-" + std::to_string(i) + ".png"), side, image_bytes).string());
    }

    const auto result = run_process(args);
    BOOST_TEST_REQUIRE(result.status == 0, "probe failed: " << result.out);
    const auto report = boost::json::parse(result.out).as_object();
    const auto increase_kb = report.at("increase_kb").to_number<long>();
    const auto upload = report.at("upload_bytes").to_number<std::uint64_t>();
    BOOST_TEST(upload == image_bytes * image_count);
    BOOST_TEST_MESSAGE("uploaded "
                       << upload / 1'000'000 << " MB in one edit: peak RSS "
                       << report.at("peak_kb").to_number<long>() << " kB, " << increase_kb
                       << " kB above the " << report.at("rss_before_kb").to_number<long>()
                       << " kB baseline (peak reset: " << report.at("peak_reset") << ")");
    BOOST_TEST(increase_kb < bound_kb, "peak RSS grew by " << increase_kb << " kB");

    // Everything arrived, in order, whole.
    const auto log = logged_requests(emulator(), key);
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST(log[0].at("status").to_number<int>() == 200);
    const auto& parts = log[0].at("body").at("parts").as_array();
    std::vector<std::string> seen;
    for (const auto& p : parts) {
        if (p.at("filename").is_null())
            continue;
        const auto& image = p.at("image");
        seen.push_back(std::string(p.at("name").as_string()) + ":" +
                       std::to_string(p.at("size").to_number<std::uint64_t>()) + ":" +
                       std::to_string(image.at("width").to_number<int>()));
    }
    std::vector<std::string> expected;
    for (int i = 0; i < image_count; ++i)
        expected.push_back("image[]:" + std::to_string(image_bytes) + ":" + std::to_string(64 + i));
    expected.push_back("mask:" + std::to_string(fs::file_size(mask)) + ":64");
    BOOST_TEST(seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
