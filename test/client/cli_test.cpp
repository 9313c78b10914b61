// The openai-images CLI's edit and variation commands against the emulator: files sent in order,
// results written like `generate` writes them, URL results downloaded, usage errors refused.
#include "client_fixture.hpp"
#include "emulator/image_probe.hpp"
#include "emulator/image_synth.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace em = openai::emulator;
namespace fs = std::filesystem;
using namespace openai::test;

namespace {

struct scratch {
    fs::path path;
    scratch() {
        std::random_device rd;
        path = fs::temp_directory_path() /
               ("openai-cli-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const std::string& name, const std::string& bytes) const {
        std::ofstream(path / name, std::ios::binary) << bytes;
        return path / name;
    }
    std::vector<fs::path> files_in(const std::string& sub) const {
        std::vector<fs::path> out;
        if (fs::exists(path / sub))
            for (const auto& e : fs::directory_iterator(path / sub))
                out.push_back(e.path());
        std::sort(out.begin(), out.end());
        return out;
    }
};

std::string png_of(std::uint32_t w, std::uint32_t h, const std::string& seed) {
    em::image_spec spec;
    spec.prompt = seed;
    spec.width = w;
    spec.height = h;
    return em::synthesize(spec).bytes;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct cli_result {
    int status = -1;
    std::string out;
    std::string err;
};

// Runs the CLI with `args` against the shared emulator, OPENAI_API_KEY set, stdout and stderr
// captured through files (no pipe deadlock, whatever the amounts).
cli_result run_cli(std::vector<std::string> args, const scratch& dir) {
    const char* cli = std::getenv("OPENAI_IMAGES_CLI");
    BOOST_TEST_REQUIRE(cli != nullptr, "OPENAI_IMAGES_CLI is not set (run via ctest)");
    args.insert(args.begin(), cli);
    args.insert(args.end(), {"--base-url", emulator().base_url() + "/v1", "--ca-file",
                             emulator().ca_file().string()});
    const auto out_file = dir.path / "stdout.txt";
    const auto err_file = dir.path / "stderr.txt";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> env_strings{"OPENAI_API_KEY=" + test_api_key, "PATH=/usr/bin:/bin"};
    std::vector<char*> envp;
    for (auto& e : env_strings)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    ::pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, cli, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    BOOST_TEST_REQUIRE(rc == 0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    cli_result r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read(out_file);
    r.err = read(err_file);
    return r;
}

boost::json::object last_request() {
    raw_client raw(emulator());
    auto r = raw.request("GET", "/v1/_emulator/requests?limit=1");
    BOOST_TEST_REQUIRE(r.status == 200u);
    return r.json().at("requests").as_array().at(0).as_object();
}

} // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(edit_sends_the_images_in_order_and_writes_the_result) {
    scratch dir;
    const auto a = dir.write("a.png", png_of(64, 64, "cli a"));
    const auto b = dir.write("b.png", png_of(64, 64, "cli b"));
    const auto c = dir.write("c.png", png_of(64, 64, "cli c"));
    const auto m = dir.write("m.png", png_of(64, 64, "cli mask"));
    // `--image A B` and a second `--image C`: three images, in that order.
    const auto r =
        run_cli({"edit", "--image", a.string(), b.string(), "--mask", m.string(), "--image",
                 c.string(), "--prompt", "Merge the three", "--model", "gpt-image-1", "--quality",
                 "low", "--out", (dir.path / "out").string(), "--json"},
                dir);
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    const auto line = boost::json::parse(r.out).as_object();
    BOOST_TEST(line.at("type").as_string() == "result");
    const auto& files = line.at("files").as_array();
    BOOST_TEST_REQUIRE(files.size() == 1u);
    const fs::path written(std::string(files[0].as_string()));
    BOOST_TEST(written.parent_path() == dir.path / "out");
    BOOST_TEST(written.filename().string().starts_with("merge-the-three-"));
    BOOST_TEST(em::probe(read(written)).format == em::image_format::png);

    const auto rec = last_request();
    BOOST_TEST(rec.at("path").as_string() == "/v1/images/edits");
    std::vector<std::string> names;
    for (const auto& p : rec.at("body").at("parts").as_array())
        if (!p.at("filename").is_null())
            names.push_back(std::string(p.at("name").as_string()) + ":" +
                            std::string(p.at("filename").as_string()));
    BOOST_TEST(names == (std::vector<std::string>{"image[]:a.png", "image[]:b.png", "image[]:c.png",
                                                  "mask:m.png"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(variation_downloads_url_results) {
    scratch dir;
    const auto img = dir.write("square.png", png_of(64, 64, "cli variation"));
    const auto r =
        run_cli({"variation", "--image", img.string(), "--n", "2", "--size", "256x256",
                 "--response-format", "url", "--download", "--out", (dir.path / "out").string()},
                dir);
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    BOOST_TEST(r.out.find("url: " + emulator().base_url()) != std::string::npos, r.out);
    BOOST_TEST(r.out.find("downloaded ") != std::string::npos, r.out);
    const auto files = dir.files_in("out");
    BOOST_TEST_REQUIRE(files.size() == 2u); // no temporaries left
    for (const auto& f : files) {
        BOOST_TEST(f.filename().string().starts_with("variation-square-"), f);
        BOOST_TEST(f.extension() == ".png");
        const auto info = em::probe(read(f));
        BOOST_TEST(info.width == 256u);
        BOOST_TEST(info.height == 256u);
    }
    BOOST_TEST(last_request().at("path").as_string().starts_with("/files/"));
    // Legacy, said once, with the edit command that replaces it.
    const auto note = r.err.find("legacy dall-e-2 endpoint");
    BOOST_TEST(note != std::string::npos, r.err);
    BOOST_TEST(r.err.find("legacy", note + 1) == std::string::npos, r.err);
    BOOST_TEST(r.err.find("openai-images edit --image PATH") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(rules_and_usage_errors_exit_with_status_2) {
    scratch dir;
    const auto wide = dir.write("wide.png", png_of(64, 32, "cli wide"));
    auto r = run_cli({"variation", "--image", wide.string()}, dir);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("square") != std::string::npos, r.err);

    r = run_cli({"variation", "--image", wide.string(), "--json"}, dir);
    BOOST_TEST(r.status == 2);
    const auto line = boost::json::parse(r.out).as_object();
    BOOST_TEST(line.at("type").as_string() == "error");
    BOOST_TEST(line.at("param").as_string() == "image");

    r = run_cli({"edit", "--image", wide.string()}, dir);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("--prompt") != std::string::npos, r.err);

    r = run_cli({"edit", "--prompt", "nothing to edit"}, dir);
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("--image") != std::string::npos, r.err);

    const auto text = dir.write("notes.png", "not an image at all");
    r = run_cli({"edit", "--image", text.string(), "--prompt", "x"}, dir);
    BOOST_TEST(r.status == 2); // refused before sending
    BOOST_TEST(r.err.find("notes.png") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("not a PNG, JPEG or WebP") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(generate_stream_writes_partials_then_the_final_image) {
    scratch dir;
    const auto r = run_cli({"generate", "--stream", "--partial-images", "2", "--prompt",
                            "Streamed fox", "--model", "gpt-image-1", "--quality", "low", "--out",
                            (dir.path / "out").string(), "--json"},
                           dir);
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    // One JSON line per event: two partial images, then the completed one.
    std::vector<boost::json::object> lines;
    std::istringstream out(r.out);
    for (std::string line; std::getline(out, line);)
        lines.push_back(boost::json::parse(line).as_object());
    BOOST_TEST_REQUIRE(lines.size() == 3u, r.out);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& line = lines[i];
        BOOST_TEST(line.at("type").as_string() == "event");
        const bool partial = i < 2;
        BOOST_TEST(line.at("event").as_string() ==
                   (partial ? "image_generation.partial_image" : "image_generation.completed"));
        const fs::path file(std::string(line.at("file").as_string()));
        BOOST_TEST(file.parent_path() == dir.path / "out");
        const auto name = file.filename().string();
        BOOST_TEST(name.starts_with("streamed-fox"), name);
        if (partial) {
            BOOST_TEST(line.at("partial_image_index").to_number<int>() == static_cast<int>(i));
            BOOST_TEST(name.find(".partial-" + std::to_string(i)) != std::string::npos, name);
        } else {
            BOOST_TEST(name.find(".partial-") == std::string::npos, name);
            BOOST_TEST(line.at("request_id").as_string().starts_with("req_"));
        }
        const auto bytes = read(file);
        BOOST_TEST(line.at("bytes").to_number<std::size_t>() == bytes.size());
        BOOST_TEST(em::probe(bytes).format == em::image_format::png);
    }
    BOOST_TEST(dir.files_in("out").size() == 3u); // no temporaries left
    const auto rec = last_request();
    BOOST_TEST(rec.at("path").as_string() == "/v1/images/generations");
    BOOST_TEST(rec.at("stream").as_bool());
}

BOOST_AUTO_TEST_CASE(edit_stream_reports_each_file_as_text) {
    scratch dir;
    const auto a = dir.write("a.png", png_of(64, 64, "cli stream edit"));
    const auto r = run_cli({"edit", "--stream", "--partial-images", "1", "--image", a.string(),
                            "--prompt", "Add a hat", "--model", "gpt-image-1", "--quality", "low",
                            "--out", (dir.path / "out").string()},
                           dir);
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    BOOST_TEST(r.out.find("partial image 0)") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("request id: req_") != std::string::npos, r.out);
    BOOST_TEST(dir.files_in("out").size() == 2u);
    const auto rec = last_request();
    BOOST_TEST(rec.at("path").as_string() == "/v1/images/edits");
    BOOST_TEST(rec.at("stream").as_bool());

    // --partial-images belongs to --stream.
    const auto usage = run_cli({"generate", "--partial-images", "1", "--prompt", "x"}, dir);
    BOOST_TEST(usage.status == 2);
    BOOST_TEST(usage.err.find("--stream") != std::string::npos, usage.err);
}

BOOST_AUTO_TEST_SUITE_END()
