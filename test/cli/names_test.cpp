// File names of results: the extension from the bytes, --name checked, one stem shared by the
// partial and final images of a result, and what a result that is no image says.
#include "arguments.hpp"
#include "contact_sheet.hpp"
#include "output.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace cli = openai::cli;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string t = (fs::temp_directory_path() / "names-test-XXXXXX").string();
        BOOST_TEST_REQUIRE(::mkdtemp(t.data()) != nullptr);
        path = t;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    void touch(const std::string& name) const { std::ofstream(path / name) << "x"; }
};

} // namespace

BOOST_AUTO_TEST_SUITE(result_names)

BOOST_AUTO_TEST_CASE(extension_from_bytes_only) {
    BOOST_TEST(*cli::image_extension(std::string("\x89PNG\r\n\x1a\n....", 12)) == "png");
    BOOST_TEST(*cli::image_extension("\xff\xd8\xff\xe0") == "jpeg");
    BOOST_TEST(*cli::image_extension(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)) == "webp");
    BOOST_TEST(!cli::image_extension("string").has_value());
    BOOST_TEST(cli::extension_or_throw("string", true) == "bin");
    try {
        cli::extension_or_throw("string", false);
        BOOST_FAIL("no exception");
    } catch (const cli::not_an_image& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("6 bytes") != std::string::npos, what);
        BOOST_TEST(what.find("73 74 72 69 6e 67") != std::string::npos, what);
        BOOST_TEST(what.find("\"string\"") != std::string::npos, what);
        BOOST_TEST(what.find("--keep-unknown") != std::string::npos, what);
    }
}

BOOST_AUTO_TEST_CASE(name_option_is_a_stem_not_a_path) {
    BOOST_TEST(cli::checked_stem("fox") == "fox");
    BOOST_TEST(cli::checked_stem("my.fox_1") == "my.fox_1");
    for (const char* bad : {"../x", "a/b", "/x", "x\\y", "..", ".", "", "a\nb"})
        BOOST_CHECK_THROW(cli::checked_stem(bad), cli::usage_error);
    try {
        cli::checked_stem("../x");
    } catch (const cli::usage_error& e) {
        BOOST_TEST(std::string(e.what()).find("'../x'") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(free_stem_counts_partial_images) {
    temp_dir d;
    BOOST_TEST(cli::free_stem(d.path / "absent", "x") == "x");
    BOOST_TEST(cli::free_stem(d.path, "x") == "x");
    d.touch("x.partial-0.png"); // a run died after its first partial image
    BOOST_TEST(cli::free_stem(d.path, "x") == "x-2");
    d.touch("x-2.webp");
    BOOST_TEST(cli::free_stem(d.path, "x") == "x-3");
    d.touch("x-30.png");
    d.touch("xy.png");
    BOOST_TEST(cli::free_stem(d.path, "x") == "x-3");
    // The shared stem, then the files named after it: partial and final agree.
    const auto stem = cli::free_stem(d.path, "x");
    const auto p0 = cli::write_new_file(d.path, stem + ".partial-0", "png", "a");
    const auto f = cli::write_new_file(d.path, stem, "png", "b");
    BOOST_TEST(p0.filename() == "x-3.partial-0.png");
    BOOST_TEST(f.filename() == "x-3.png");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(contact_sheet_page)

BOOST_AUTO_TEST_CASE(lines_statuses_and_escaping) {
    const std::string manifest =
        R"({"id":"fox","line":1,"status":"error","error":{"message":"first try"}})"
        "\n"
        R"({"id":"fox","line":1,"status":"ok","files":["fox/image-1.png"],"prompt":"a <fox> & \"snow\"","model":"gpt-image-1","size":"1024x1024","usage":{"total_tokens":10,"input_tokens":3,"output_tokens":7},"request_id":"req_1"})"
        "\n"
        "torn line {\n"
        R"({"id":"a b#c","line":3,"status":"error","error":{"status":500,"error_type":"server_error","message":"boom <script>","request_id":"req_9","outcome":"unknown"},"prompt":"x"})"
        "\n"
        R"({"id":"late","line":2,"status":"cancelled"})"
        "\n";
    const auto records = openai::cli::batch::latest_records(manifest);
    BOOST_TEST_REQUIRE(records.size() == 3u);
    BOOST_TEST(records[0].at("id").as_string() == "fox");
    BOOST_TEST(records[1].at("id").as_string() == "late");
    BOOST_TEST(records[2].at("id").as_string() == "a b#c");
    const auto html = openai::cli::batch::render_contact_sheet(records, "Batch <run>");
    const auto has = [&](const std::string& s) { return html.find(s) != std::string::npos; };
    BOOST_TEST(has("<title>Batch &lt;run&gt;"));
    BOOST_TEST(has("a &lt;fox&gt; &amp; &quot;snow&quot;"));
    BOOST_TEST(!has("<fox>"));
    BOOST_TEST(!has("<script>"));
    BOOST_TEST(has("boom &lt;script&gt;"));
    BOOST_TEST(has("<img src=\"fox/image-1.png\""));
    BOOST_TEST(has("class=\"line status-error outcome-unknown\" id=\"line-a b#c\""));
    BOOST_TEST(has("class=\"line status-ok\" id=\"line-fox\""));
    BOOST_TEST(has("class=\"line status-cancelled\""));
    BOOST_TEST(has("type: server_error"));
    BOOST_TEST(has("req_9"));
    BOOST_TEST(has("3 lines: 1 ok, 1 failed (1 with unknown outcome), 1 cancelled"));
    BOOST_TEST(has("10 tokens (3 in, 7 out)"));
    BOOST_TEST(!has("first try")); // only the last record of an id counts
    BOOST_TEST(has("#show-error:checked~main .line:not(.status-error)"));
    BOOST_TEST(!has("<script")); // no script, no external asset
    BOOST_TEST(!has("http://"));
    BOOST_TEST(!has("https://"));
}

BOOST_AUTO_TEST_CASE(written_atomically_from_the_manifest) {
    temp_dir d;
    BOOST_CHECK_THROW(openai::cli::batch::write_contact_sheet(d.path), std::runtime_error);
    std::ofstream(d.path / "results.jsonl")
        << R"({"id":"k","line":1,"status":"ok","files":["k/image 1.png"]})" << '\n';
    BOOST_TEST(openai::cli::batch::write_contact_sheet(d.path) == 1u);
    std::ifstream in(d.path / "index.html");
    const std::string page((std::istreambuf_iterator<char>(in)), {});
    BOOST_TEST(page.find("src=\"k/image%201.png\"") != std::string::npos);
    for (const auto& e : fs::directory_iterator(d.path))
        BOOST_TEST((e.path().filename() == "index.html" || e.path().filename() == "results.jsonl"),
                   "left behind: " << e.path());
}

BOOST_AUTO_TEST_SUITE_END()
