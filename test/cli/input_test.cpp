// Batch input: ids (default, explicit, refused, duplicated across shards), blank lines and CRLF,
// unknown members and streams refused, validation, and shards that cover a file exactly.
#include "batch_input.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <string>

namespace b = openai::cli::batch;

namespace {

std::vector<b::batch_item> read(std::string_view text, b::input_options o = {}) {
    return b::read_items(text, o);
}

} // namespace

BOOST_AUTO_TEST_SUITE(batch_input)

BOOST_AUTO_TEST_CASE(requests_with_and_without_ids) {
    auto items = read("{\"id\":\"fox\",\"prompt\":\"a fox\",\"model\":\"gpt-image-1\",\"n\":2,"
                      "\"size\":\"1024x1024\"}\n"
                      "{\"prompt\":\"a lighthouse\"}\n"
                      "{\"id\":42,\"prompt\":\"x\"}\n");
    BOOST_TEST_REQUIRE(items.size() == 3u);
    BOOST_TEST(items[0].ok());
    BOOST_TEST(items[0].id == "fox");
    BOOST_TEST(items[0].line == 1u);
    BOOST_TEST(items[0].request->prompt == "a fox");
    BOOST_TEST(items[0].request->model->view() == "gpt-image-1");
    BOOST_TEST(items[0].images() == 2);
    BOOST_TEST(items[1].ok());
    BOOST_TEST(items[1].id == "2"); // its line number
    BOOST_TEST(items[1].images() == 1);
    BOOST_TEST(items[2].id == "42");
    BOOST_TEST(items[2].ok());
}

BOOST_AUTO_TEST_CASE(blank_lines_count_for_numbers_but_are_not_items) {
    auto items = read("\n   \n{\"prompt\":\"a\"}\r\n\t\r\n{\"prompt\":\"b\"}");
    BOOST_TEST_REQUIRE(items.size() == 2u);
    BOOST_TEST(items[0].id == "3");
    BOOST_TEST(items[0].ok());
    BOOST_TEST(items[1].id == "5");
    BOOST_TEST(items[1].line == 5u);
    BOOST_TEST(items[1].request->prompt == "b");
}

BOOST_AUTO_TEST_CASE(bad_lines_are_errors_naming_the_line) {
    auto items = read("{\"prompt\": oops\n"                                     // 1 invalid JSON
                      "[1,2]\n"                                                 // 2 not an object
                      "{\"prompt\":\"x\",\"sise\":\"1024x1024\"}\n"             // 3 unknown member
                      "{\"prompt\":\"x\",\"stream\":true}\n"                    // 4 streaming
                      "{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"n\":99}\n" // 5 invalid n
                      "{\"prompt\":7}\n"                                        // 6 wrong type
                      "{\"prompt\":\"x\",\"id\":\"../up\"}\n"                   // 7 unsafe id
                      "{\"prompt\":\"x\",\"id\":[1]}\n"            // 8 id of a wrong type
                      "{\"model\":\"gpt-image-1\"}\n"              // 9 no prompt
                      "{\"prompt\":\"fine\",\"stream\":false}\n"); // 10 ok
    BOOST_TEST_REQUIRE(items.size() == 10u);
    const std::vector<std::string> codes{"invalid_json", "invalid_line",    "invalid_line",
                                         "invalid_line", "invalid_request", "invalid_request",
                                         "invalid_id",   "invalid_id",      "invalid_request"};
    for (std::size_t i = 0; i < codes.size(); ++i) {
        BOOST_TEST(!items[i].ok(), "line " << i + 1);
        BOOST_TEST(items[i].error_code == codes[i], "line " << i + 1);
        BOOST_TEST(items[i].message.starts_with("line " + std::to_string(i + 1) + ": "),
                   items[i].message);
        BOOST_TEST(items[i].id == std::to_string(i + 1)); // refused ids fall back to the number
    }
    BOOST_TEST(items[2].param == "sise");
    BOOST_TEST(items[2].message.find("sise") != std::string::npos);
    BOOST_TEST(items[3].param == "stream");
    BOOST_TEST(items[4].param == "n");
    BOOST_TEST(items[5].param == "prompt");
    BOOST_TEST(items[5].message.find("expected string") != std::string::npos, items[5].message);
    BOOST_TEST(items[8].param == "prompt");
    BOOST_TEST(items[9].ok());
}

BOOST_AUTO_TEST_CASE(members_follow_the_field_table) {
    // Every generation field a batch line carries is read; the 2.5 models' rules apply.
    auto items = read(
        "{\"prompt\":\"a\",\"model\":\"gpt-image-2.5-flare\",\"quality\":\"xhigh\","
        "\"size\":\"2048x1152\",\"moderation\":\"low\",\"background\":\"transparent\","
        "\"output_format\":\"webp\",\"output_compression\":80,\"partial_images\":0,"
        "\"user\":\"u\",\"n\":2}\n"
        "{\"prompt\":\"b\",\"model\":\"gpt-image-1\",\"quality\":\"max\"}\n"
        "{\"prompt\":\"c\",\"model\":\"gpt-image-2.5-sunburst-2026-09-08\",\"quality\":\"max\"}\n"
        "{\"prompt\":\"d\",\"images\":[]}\n");
    BOOST_TEST_REQUIRE(items.size() == 4u);
    BOOST_TEST_REQUIRE(items[0].ok(), items[0].message);
    const auto& r = *items[0].request;
    BOOST_TEST(r.quality->view() == "xhigh");
    BOOST_TEST(r.size->view() == "2048x1152");
    BOOST_TEST(r.moderation->view() == "low");
    BOOST_TEST(*r.output_compression == 80);
    BOOST_TEST(*r.partial_images == 0);
    BOOST_TEST(*r.user == "u");
    BOOST_TEST(!items[1].ok());
    BOOST_TEST(items[1].param == "quality");
    BOOST_TEST(items[2].ok(), items[2].message);
    BOOST_TEST(!items[3].ok()); // not a generation field
    BOOST_TEST(items[3].param == "images");
    BOOST_TEST(items[3].error_code == "invalid_line");
}

BOOST_AUTO_TEST_CASE(validation_can_be_turned_off) {
    b::input_options o;
    o.validate = false;
    auto items = read("{\"prompt\":\"x\",\"model\":\"gpt-image-1\",\"n\":99}\n", o);
    BOOST_TEST_REQUIRE(items.size() == 1u);
    BOOST_TEST(items[0].ok());
    BOOST_TEST(items[0].images() == 99);
}

BOOST_AUTO_TEST_CASE(the_first_line_owns_an_id_in_every_shard) {
    const std::string text = "{\"id\":\"a\",\"prompt\":\"1\"}\n"
                             "{\"id\":\"a\",\"prompt\":\"2\"}\n"
                             "{\"prompt\":\"3\"}\n"
                             "{\"id\":\"3\",\"prompt\":\"4\"}\n"; // collides with line 3's default
    auto all = read(text);
    BOOST_TEST_REQUIRE(all.size() == 4u);
    BOOST_TEST(all[0].ok());
    BOOST_TEST(all[1].error_code == "duplicate_id");
    BOOST_TEST(all[1].message.find("line 1") != std::string::npos);
    BOOST_TEST(all[2].ok());
    BOOST_TEST(all[3].error_code == "duplicate_id");
    // Shard 1/2 holds lines 2 and 4 only, and still knows that lines 1 and 3 own their ids.
    b::input_options o;
    o.shard = {1, 2};
    auto odd = read(text, o);
    BOOST_TEST_REQUIRE(odd.size() == 2u);
    BOOST_TEST(odd[0].line == 2u);
    BOOST_TEST(odd[0].error_code == "duplicate_id");
    BOOST_TEST(odd[1].line == 4u);
    BOOST_TEST(odd[1].error_code == "duplicate_id");
}

BOOST_AUTO_TEST_CASE(ids_name_directories) {
    BOOST_TEST(b::valid_id("fox"));
    BOOST_TEST(b::valid_id("a.b_c-9"));
    BOOST_TEST(b::valid_id(std::string(128, 'x')));
    BOOST_TEST(!b::valid_id(std::string(129, 'x')));
    BOOST_TEST(!b::valid_id(""));
    BOOST_TEST(!b::valid_id(".hidden"));
    BOOST_TEST(!b::valid_id(".."));
    BOOST_TEST(!b::valid_id("a/b"));
    BOOST_TEST(!b::valid_id("a b"));
    BOOST_TEST(!b::valid_id("caf\xc3\xa9"));
}

BOOST_AUTO_TEST_CASE(shard_syntax) {
    std::string error;
    auto s = b::parse_shard("2/5", error);
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(s->index == 2u);
    BOOST_TEST(s->count == 5u);
    BOOST_TEST(s->contains(7));
    BOOST_TEST(!s->contains(8));
    for (const char* bad : {"5/5", "1/0", "1", "/3", "1/", "a/b", "-1/3", "1/3x", ""}) {
        error.clear();
        BOOST_TEST(!b::parse_shard(bad, error), bad);
        BOOST_TEST(!error.empty());
    }
}

BOOST_AUTO_TEST_CASE(shards_cover_the_file_exactly) {
    std::string text;
    for (int i = 0; i < 103; ++i)
        text += i % 10 == 4 ? "\n" : "{\"prompt\":\"p" + std::to_string(i) + "\"}\n";
    const auto all = read(text);
    for (std::size_t n : {1u, 2u, 3u, 7u, 200u}) {
        std::multiset<std::size_t> lines;
        for (std::size_t i = 0; i < n; ++i) {
            b::input_options o;
            o.shard = {i, n};
            for (const auto& item : read(text, o)) {
                BOOST_TEST((item.line - 1) % n == i);
                lines.insert(item.line);
            }
        }
        std::multiset<std::size_t> expected;
        for (const auto& item : all)
            expected.insert(item.line);
        BOOST_TEST(lines == expected, "N = " << n);
    }
}

BOOST_AUTO_TEST_CASE(fingerprints_tell_lines_apart) {
    BOOST_TEST(b::fingerprint("") == 14695981039346656037ull);
    BOOST_TEST(b::fingerprint("a") == 0xaf63dc4c8601ec8cull); // the published FNV-1a value
    BOOST_TEST(b::fingerprint("{\"prompt\":\"a\"}") != b::fingerprint("{\"prompt\":\"b\"}"));
    auto items = read("{\"prompt\":\"a\"}\n{\"prompt\":\"a\"}\n");
    BOOST_TEST(items[0].fingerprint == items[1].fingerprint);
    BOOST_TEST(items[0].fingerprint == b::fingerprint("{\"prompt\":\"a\"}"));
}

BOOST_AUTO_TEST_SUITE_END()
