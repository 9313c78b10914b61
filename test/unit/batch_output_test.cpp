// The Batch API output reader: sample output and error files fed whole, cut at every byte, and
// one byte at a time; success lines, refused lines, error-file lines, unicode, a large image,
// malformed and truncated lines.
#include "codec/base64.hpp"
#include "codec/json_document.hpp"

#include <openai/batch_output.hpp>

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using openai::batch_result;
using openai::batch_result_kind;

// A 1x1 PNG.
constexpr std::string_view png_b64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+"
                                     "M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

std::string success_line(std::string_view custom_id, std::string_view b64) {
    return R"({"id":"batch_req_1","custom_id":")" + std::string(custom_id) +
           R"(","response":{"status_code":200,"request_id":"req_1","body":{"created":1713833628,)"
           R"("data":[{"b64_json":")" +
           std::string(b64) +
           R"(","revised_prompt":"an otter"}],"background":"opaque","output_format":"png",)"
           R"("quality":"high","size":"1024x1024","usage":{"total_tokens":10,"input_tokens":4,)"
           R"("output_tokens":6,"input_tokens_details":{"text_tokens":4,"image_tokens":0}}}},)"
           R"("error":null})";
}

// A sample output file: two successes (bytes, then two images: a URL and bytes), a refusal,
// a blank line, a CRLF line, and unicode.
std::string sample_output() {
    std::string f;
    f += success_line("cat-1", png_b64) + "\n";
    f += R"({"id":"batch_req_2","custom_id":"dog-2","response":{"status_code":200,)"
         R"("request_id":"req_2","body":{"created":1,"data":[{"url":"https://example.com/a.png"},)"
         R"({"b64_json":"aGVsbG8="}]}},"error":null})"
         "\n";
    f += R"({"id":"batch_req_3","custom_id":"bad-3","response":{"status_code":400,)"
         R"("request_id":"req_3","body":{"error":{"message":"Invalid size","type":)"
         R"("invalid_request_error","param":"size","code":"invalid_value"}}},"error":null})"
         "\n";
    f += "  \t\r\n";
    f += R"({"id":"batch_req_5","custom_id":"caf\u00e9-\ud83d\ude00-)"
         "\xc3\xa9\xf0\x9f\x90\x88"
         R"(","response":{"status_code":200,"request_id":"req_5","body":{"data":[)"
         R"({"b64_json":"aW1hZ2Uh","revised_prompt":"un chat \u00e0 Paris )"
         "\xe6\x97\xa5\xe6\x9c\xac"
         R"("}]}},"error":null})"
         "\r\n";
    f += R"({"id":"batch_req_6","custom_id":"slow-6","response":{"status_code":429,)"
         R"("request_id":"req_6","body":{"error":{"message":"Rate limit","type":"requests",)"
         R"("param":null,"code":"rate_limit_exceeded"}}},"error":null})"
         "\n";
    return f;
}

std::string sample_errors() {
    return R"({"id":"batch_req_7","custom_id":"late-7","response":null,"error":{"code":)"
           R"("batch_expired","message":"This request could not be executed before the )"
           R"(completion window expired."}})"
           "\n"
           R"({"id":"batch_req_8","custom_id":"late-8","response":null,"error":{"code":)"
           R"("batch_cancelled","message":"cancelled"}})";
}

// Malformed lines between good ones.
std::string sample_malformed() {
    std::string f;
    f += success_line("ok-1", png_b64) + "\n";
    f += "{\"id\":\"batch_req_2\",\"custom_id\":\"x\",\"response\":{\"status_code\":200,\"body\":{"
         "\n";
    f += R"({"id":"batch_req_3","response":{"status_code":200,"body":{"data":[]}},"error":null})"
         "\n";
    f += success_line("b64-4", "aGVsbG8$") + "\n";
    f += "[1,2,3]\n";
    f += R"({"custom_id":"none-6","response":null,"error":null})"
         "\n";
    f += R"({"custom_id":"status-7","response":{"body":{}},"error":null})"
         "\n";
    f += R"({"custom_id":"extra-8","response":null,"error":{"code":"x"}} trailing)"
         "\n";
    f += success_line("ok-9", png_b64) + "\n";
    f += R"({"custom_id":"cut-10","response":{"status_code":200,"body":{"data":[{"b64_json":"iVBO)";
    return f;
}

// Every result of `text` fed in the given pieces (then the end of input).
std::vector<batch_result> read_pieces(const std::vector<std::string_view>& pieces,
                                      openai::batch_output_options options = {}) {
    openai::batch_output_reader reader(options);
    std::vector<batch_result> out;
    for (auto piece : pieces) {
        while (!piece.empty()) {
            const auto n = reader.feed(piece, false);
            piece.remove_prefix(n);
            if (reader.has_result())
                out.push_back(reader.take_result());
            else
                BOOST_REQUIRE(piece.empty()); // no result: everything was consumed
        }
    }
    openai::read_batch_output(reader, {}, true,
                              [&](batch_result&& r) { out.push_back(std::move(r)); });
    BOOST_TEST(reader.finished());
    return out;
}

std::vector<batch_result> read_whole(std::string_view text,
                                     openai::batch_output_options options = {}) {
    return read_pieces({text}, options);
}

std::vector<batch_result> read_cut(std::string_view text, std::size_t cut) {
    return read_pieces({text.substr(0, cut), text.substr(cut)});
}

std::vector<batch_result> read_bytes(std::string_view text) {
    std::vector<std::string_view> pieces;
    for (std::size_t i = 0; i < text.size(); ++i)
        pieces.push_back(text.substr(i, 1));
    return read_pieces(pieces);
}

bool same(const batch_result& a, const batch_result& b) {
    return a.line == b.line && a.kind == b.kind && a.id == b.id && a.custom_id == b.custom_id &&
           a.response == b.response && a.error.code == b.error.code &&
           a.error.message == b.error.message && a.error.http_status == b.error.http_status &&
           a.error.request_id == b.error.request_id && a.error.api == b.error.api &&
           a.error.outcome == b.error.outcome;
}

// The malformed-JSON message names a byte offset that Boost.JSON may place differently when
// the text is split inside a literal: there, only the code and the line prefix must agree.
bool same_loosely(const batch_result& a, const batch_result& b) {
    if (a.kind == batch_result_kind::malformed && b.kind == batch_result_kind::malformed &&
        a.error.code == b.error.code && a.line == b.line &&
        (a.error.code == openai::errc::invalid_json ||
         a.error.code == openai::errc::truncated_body))
        return a.error.message.substr(0, a.error.message.find(':')) ==
               b.error.message.substr(0, b.error.message.find(':'));
    return same(a, b);
}

void check_splits(std::string_view text, const std::vector<batch_result>& whole) {
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        const auto split = read_cut(text, cut);
        BOOST_TEST_REQUIRE(split.size() == whole.size(), "cut at " << cut);
        for (std::size_t i = 0; i < whole.size(); ++i)
            BOOST_TEST_REQUIRE(same_loosely(split[i], whole[i]),
                               "cut at " << cut << ", result " << i << ": "
                                         << split[i].error.message);
    }
    const auto bytes = read_bytes(text);
    BOOST_TEST_REQUIRE(bytes.size() == whole.size());
    for (std::size_t i = 0; i < whole.size(); ++i)
        BOOST_TEST(same_loosely(bytes[i], whole[i]), "byte by byte, result " << i);
}

std::string decode64(std::string_view text) {
    std::string out;
    openai::codec::base64_decoder d;
    BOOST_REQUIRE(d.feed(text, out) && d.finish(out));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(batch_output)

BOOST_AUTO_TEST_CASE(output_file_whole) {
    const auto text = sample_output();
    const auto r = read_whole(text);
    BOOST_TEST_REQUIRE(r.size() == 5u);

    BOOST_TEST(r[0].ok());
    BOOST_TEST(r[0].line == 1u);
    BOOST_TEST(r[0].id == "batch_req_1");
    BOOST_TEST(r[0].custom_id == "cat-1");
    BOOST_TEST(!r[0].error);
    BOOST_TEST_REQUIRE(r[0].response.has_value());
    const auto& res = *r[0].response;
    BOOST_TEST(res.meta.http_status == 200);
    BOOST_TEST(res.meta.request_id == "req_1");
    BOOST_TEST(*res.created == 1713833628);
    BOOST_TEST_REQUIRE(res.data.size() == 1u);
    BOOST_TEST(*res.data[0].bytes == decode64(png_b64));
    BOOST_TEST(res.data[0].bytes->substr(1, 3) == "PNG");
    BOOST_TEST(*res.data[0].revised_prompt == "an otter");
    BOOST_TEST(res.output_format->view() == "png");
    BOOST_TEST(res.quality->view() == "high");
    BOOST_TEST(res.size->view() == "1024x1024");
    BOOST_TEST(res.background->view() == "opaque");
    BOOST_TEST(*res.usage->total_tokens == 10);
    BOOST_TEST(*res.usage->input_tokens_details.text_tokens == 4);

    BOOST_TEST(r[1].ok());
    BOOST_TEST(r[1].line == 2u);
    BOOST_TEST_REQUIRE(r[1].response->data.size() == 2u);
    BOOST_TEST(*r[1].response->data[0].url == "https://example.com/a.png");
    BOOST_TEST(!r[1].response->data[0].bytes);
    BOOST_TEST(*r[1].response->data[1].bytes == "hello");

    BOOST_TEST(!r[2].ok());
    BOOST_TEST(r[2].line == 3u);
    BOOST_TEST(r[2].kind == batch_result_kind::api_error);
    BOOST_TEST(r[2].custom_id == "bad-3");
    BOOST_TEST(r[2].id == "batch_req_3");
    BOOST_TEST(!r[2].response);
    BOOST_TEST(r[2].error.code == openai::errc::bad_request);
    BOOST_TEST(r[2].error.http_status == 400);
    BOOST_TEST(r[2].error.request_id == "req_3");
    BOOST_TEST(r[2].error.outcome == openai::request_outcome::refused);
    BOOST_TEST_REQUIRE(r[2].error.api.has_value());
    BOOST_TEST(*r[2].error.api->message == "Invalid size");
    BOOST_TEST(*r[2].error.api->type == "invalid_request_error");
    BOOST_TEST(*r[2].error.api->param == "size");
    BOOST_TEST(*r[2].error.api->code == "invalid_value");
    BOOST_TEST(r[2].error.message == "line 3 (custom_id \"bad-3\"): HTTP 400: Invalid size");

    // Line 4 is blank: no result, but counted.
    BOOST_TEST(r[3].ok());
    BOOST_TEST(r[3].line == 5u);
    BOOST_TEST(r[3].custom_id == "caf\xc3\xa9-\xf0\x9f\x98\x80-\xc3\xa9\xf0\x9f\x90\x88");
    BOOST_TEST(*r[3].response->data[0].bytes == "image!");
    BOOST_TEST(*r[3].response->data[0].revised_prompt ==
               "un chat \xc3\xa0 Paris \xe6\x97\xa5\xe6\x9c\xac");

    BOOST_TEST(r[4].kind == batch_result_kind::api_error);
    BOOST_TEST(r[4].line == 6u);
    BOOST_TEST(r[4].error.code == openai::errc::rate_limited);
    BOOST_TEST(!r[4].error.api->param);
    BOOST_TEST(*r[4].error.api->code == "rate_limit_exceeded");
}

BOOST_AUTO_TEST_CASE(output_file_every_split) {
    const auto text = sample_output();
    check_splits(text, read_whole(text));
}

BOOST_AUTO_TEST_CASE(error_file) {
    const auto text = sample_errors();
    const auto r = read_whole(text);
    BOOST_TEST_REQUIRE(r.size() == 2u);
    BOOST_TEST(r[0].kind == batch_result_kind::batch_error);
    BOOST_TEST(r[0].line == 1u);
    BOOST_TEST(r[0].id == "batch_req_7");
    BOOST_TEST(r[0].custom_id == "late-7");
    BOOST_TEST(r[0].error.code == openai::errc::api_error);
    BOOST_TEST(r[0].error.http_status == 0);
    BOOST_TEST(r[0].error.outcome == openai::request_outcome::not_sent);
    BOOST_TEST_REQUIRE(r[0].error.api.has_value());
    BOOST_TEST(*r[0].error.api->code == "batch_expired");
    BOOST_TEST(r[0].error.api->message->starts_with("This request could not be executed"));
    BOOST_TEST(r[0].error.message.starts_with(
        "line 1 (custom_id \"late-7\"): batch error batch_expired: This request"));
    // The last line has no LF: a complete line all the same.
    BOOST_TEST(r[1].kind == batch_result_kind::batch_error);
    BOOST_TEST(r[1].line == 2u);
    BOOST_TEST(*r[1].error.api->code == "batch_cancelled");
    check_splits(text, r);
}

BOOST_AUTO_TEST_CASE(malformed_lines_are_reported_and_skipped) {
    const auto text = sample_malformed();
    const auto r = read_whole(text);
    BOOST_TEST_REQUIRE(r.size() == 10u);
    for (std::size_t i = 0; i < r.size(); ++i)
        BOOST_TEST(r[i].line == i + 1);
    BOOST_TEST(r[0].ok());
    BOOST_TEST(*r[0].response->data[0].bytes == decode64(png_b64));

    // An unfinished JSON text ended by its LF.
    BOOST_TEST(r[1].kind == batch_result_kind::malformed);
    BOOST_TEST(r[1].error.code == openai::errc::invalid_json);
    BOOST_TEST(r[1].error.message.starts_with("line 2: invalid JSON at byte"));
    BOOST_TEST(r[1].error.outcome == openai::request_outcome::unknown);

    BOOST_TEST(r[2].kind == batch_result_kind::malformed);
    BOOST_TEST(r[2].error.code == openai::errc::json_type_mismatch);
    BOOST_TEST(r[2].error.message == "line 3: custom_id: missing");
    BOOST_TEST(r[2].id == "batch_req_3");

    BOOST_TEST(r[3].kind == batch_result_kind::malformed);
    BOOST_TEST(r[3].custom_id == "b64-4");
    BOOST_TEST(r[3].error.code == openai::errc::invalid_base64);
    BOOST_TEST(r[3].error.http_status == 200);
    BOOST_TEST(r[3].error.request_id == "req_1");
    BOOST_TEST(r[3].error.message ==
               "line 4 (custom_id \"b64-4\"): response.body.data[0].b64_json: invalid base64: "
               "invalid character at offset 7");

    BOOST_TEST(r[4].error.message == "line 5: expected object, got array");
    BOOST_TEST(r[5].error.message == "line 6 (custom_id \"none-6\"): neither response nor error");
    BOOST_TEST(r[6].error.message ==
               "line 7 (custom_id \"status-7\"): response.status_code: missing");
    BOOST_TEST(r[7].error.code == openai::errc::invalid_json); // text after the JSON
    BOOST_TEST(r[7].error.message.starts_with("line 8: invalid JSON"));

    BOOST_TEST(r[8].ok());
    BOOST_TEST(r[8].custom_id == "ok-9");

    // The input ended inside the last line.
    BOOST_TEST(r[9].kind == batch_result_kind::malformed);
    BOOST_TEST(r[9].error.code == openai::errc::truncated_body);
    BOOST_TEST(r[9].error.message.starts_with("line 10: the input ended inside the line"));

    check_splits(text, r);
}

BOOST_AUTO_TEST_CASE(truncated_last_line) {
    const auto line = success_line("t-1", png_b64);
    for (std::size_t n = 1; n < line.size(); ++n) {
        const auto r = read_whole(line.substr(0, n));
        BOOST_TEST_REQUIRE(r.size() == 1u, "cut at " << n);
        BOOST_TEST(r[0].error.code == openai::errc::truncated_body, "cut at " << n);
        BOOST_TEST(r[0].line == 1u);
    }
    // Whole, with or without the final LF, or with CRLF.
    for (const auto& text : {line, line + "\n", line + "\r\n", line + "\n\n  \n"}) {
        const auto r = read_whole(text);
        BOOST_TEST_REQUIRE(r.size() == 1u);
        BOOST_TEST(r[0].ok());
    }
    // Blank bytes only at the end: no result.
    BOOST_TEST(read_whole(line + "\n  \r").size() == 1u);
    BOOST_TEST(read_whole("").empty());
}

BOOST_AUTO_TEST_CASE(line_size_limit) {
    openai::batch_output_options options;
    const auto good = success_line("small", png_b64);
    options.max_line_size = good.size();
    const auto big = success_line("big", std::string(4000, 'A'));
    const auto text = good + "\n" + big + "\n" + good + "\n" + big;
    for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{100000}}) {
        openai::batch_output_reader reader(options);
        std::vector<batch_result> r;
        std::string_view rest = text;
        while (!rest.empty()) {
            auto chunk = rest.substr(0, piece);
            rest.remove_prefix(chunk.size());
            openai::read_batch_output(reader, chunk, rest.empty(),
                                      [&](batch_result&& x) { r.push_back(std::move(x)); });
        }
        BOOST_TEST_REQUIRE(r.size() == 4u);
        BOOST_TEST(r[0].ok());
        BOOST_TEST(r[1].error.code == openai::errc::body_too_large);
        BOOST_TEST(r[1].error.message == "line 2: longer than the limit of " +
                                             std::to_string(good.size()) +
                                             " bytes (batch_output_options::max_line_size)");
        BOOST_TEST(r[2].ok());
        BOOST_TEST(r[2].line == 3u);
        BOOST_TEST(r[3].error.code == openai::errc::body_too_large);
        BOOST_TEST(r[3].line == 4u);
    }
    // A line exactly at the limit passes; 0 means no limit.
    options.max_line_size = 0;
    BOOST_TEST(read_whole(big, options)[0].ok());
}

BOOST_AUTO_TEST_CASE(json_size_limit) {
    // Many small values: a DOM many times its text. Images do not count.
    std::string numbers = R"({"custom_id":"n","response":{"status_code":200,"body":{"x":[)";
    for (int i = 0; i < 100; ++i)
        numbers += "1,";
    numbers += R"(1]}}})";
    const auto big_image = success_line("img", std::string(40000, 'A'));
    const auto text = big_image + "\n" + numbers + "\n" + big_image + "\n";
    openai::batch_output_options options;
    options.max_line_json = 2000;
    const auto r = read_whole(text, options);
    BOOST_TEST_REQUIRE(r.size() == 3u);
    BOOST_TEST(r[0].ok());
    BOOST_TEST(r[0].response->data[0].bytes->size() == 30000u);
    BOOST_TEST(r[1].kind == batch_result_kind::malformed);
    BOOST_TEST(r[1].error.code == openai::errc::body_too_large);
    BOOST_TEST(r[1].error.message ==
               "line 2: the JSON besides its images is over the limit of 2000 bytes");
    BOOST_TEST(r[2].ok());
    for (const std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{1000}}) {
        std::vector<std::string_view> pieces;
        for (std::size_t at = 0; at < text.size(); at += piece)
            pieces.push_back(std::string_view(text).substr(at, piece));
        const auto split = read_pieces(pieces, options);
        BOOST_TEST_REQUIRE(split.size() == 3u);
        for (std::size_t i = 0; i < 3; ++i)
            BOOST_TEST(same(split[i], r[i]), "pieces of " << piece << ", result " << i);
    }
    // Unlimited: the line reads.
    options.max_line_json = 0;
    BOOST_TEST(read_whole(numbers, options)[0].ok());
    // Over both limits: the line limit's verdict, wherever the text is cut.
    options.max_line_json = 100;
    options.max_line_size = 200;
    for (std::size_t cut = 0; cut <= numbers.size(); cut += 7) {
        const auto x = read_pieces(
            {std::string_view(numbers).substr(0, cut), std::string_view(numbers).substr(cut)},
            options);
        BOOST_TEST_REQUIRE(x.size() == 1u);
        BOOST_TEST(x[0].error.message.starts_with("line 1: longer than the limit of 200"));
    }
}

BOOST_AUTO_TEST_CASE(large_image_line) {
    // 3 MB of pseudo-random bytes behind a PNG signature, fed in read-sized pieces.
    std::string image = "\x89PNG\r\n\x1a\n";
    std::uint32_t x = 12345;
    while (image.size() < 3 * 1024 * 1024 + 7) {
        x = x * 1664525u + 1013904223u;
        image.push_back(static_cast<char>(x >> 24));
    }
    const auto b64 = openai::codec::base64_encode(image);
    const auto line = success_line("big-1", b64) + "\n";
    const auto text = line + success_line("small-2", png_b64) + "\n" + line;
    for (const std::size_t piece :
         {std::size_t{65536}, std::size_t{4093}, std::size_t{1 << 20}, text.size()}) {
        std::vector<std::string_view> pieces;
        for (std::size_t at = 0; at < text.size(); at += piece)
            pieces.push_back(std::string_view(text).substr(at, piece));
        const auto r = read_pieces(pieces);
        BOOST_TEST_REQUIRE(r.size() == 3u);
        BOOST_TEST_REQUIRE(r[0].ok());
        BOOST_TEST((*r[0].response->data[0].bytes == image));
        BOOST_TEST(*r[1].response->data[0].bytes == decode64(png_b64));
        BOOST_TEST_REQUIRE(r[2].ok());
        BOOST_TEST((*r[2].response->data[0].bytes == image));
    }
}

BOOST_AUTO_TEST_CASE(pull_contract) {
    const auto text = sample_output();
    openai::batch_output_reader reader;
    BOOST_TEST(reader.lines() == 0u);
    const auto n = reader.feed(text);
    BOOST_TEST(n == success_line("cat-1", png_b64).size() + 1);
    BOOST_TEST(reader.has_result());
    BOOST_TEST(reader.lines() == 1u);
    // A pending result blocks further input.
    BOOST_TEST(reader.feed(std::string_view(text).substr(n)) == 0u);
    const auto first = reader.take_result();
    BOOST_TEST(first.custom_id == "cat-1");
    BOOST_TEST(!reader.has_result());
    BOOST_TEST(reader.take_result().line == 0u); // nothing pending: a default result

    std::vector<batch_result> rest;
    openai::read_batch_output(reader, std::string_view(text).substr(n), true,
                              [&](batch_result&& r) { rest.push_back(std::move(r)); });
    BOOST_TEST(rest.size() == 4u);
    BOOST_TEST(reader.finished());
    BOOST_TEST(reader.lines() == 6u);
    BOOST_TEST(reader.feed(text) == 0u); // finished: input ignored
    openai::read_batch_output(reader, text, false, [&](batch_result&&) { BOOST_FAIL("result"); });

    reader.reset();
    BOOST_TEST(!reader.finished());
    BOOST_TEST(reader.lines() == 0u);
    rest.clear();
    openai::read_batch_output(reader, sample_errors(), true,
                              [&](batch_result&& r) { rest.push_back(std::move(r)); });
    BOOST_TEST_REQUIRE(rest.size() == 2u);
    BOOST_TEST(rest[0].line == 1u);

    // Moved, it carries on.
    openai::batch_output_reader a;
    const std::string_view start = "{\"custom_id\":\"m\",\"response\":null,";
    BOOST_TEST(a.feed(start) == start.size());
    openai::batch_output_reader b = std::move(a);
    rest.clear();
    openai::read_batch_output(b, "\"error\":{\"code\":\"c\"}}\n", true,
                              [&](batch_result&& r) { rest.push_back(std::move(r)); });
    BOOST_TEST_REQUIRE(rest.size() == 1u);
    BOOST_TEST(rest[0].kind == batch_result_kind::batch_error);
}

BOOST_AUTO_TEST_CASE(keeps_unknown_fields_on_request) {
    const std::string line =
        R"({"custom_id":"u","response":{"status_code":200,"body":{"data":[],"future":1}}})";
    BOOST_TEST(read_whole(line)[0].response->unknown_fields.empty());
    openai::batch_output_options options;
    options.keep_unknown_fields = true;
    BOOST_TEST(read_whole(line, options)[0].response->unknown_fields.contains("future"));
}

// The images of `response.body` are decoded while the line is parsed (the DOM keeps an empty
// string in their place), not from the DOM's copy of the text afterwards: what keeps memory at
// one image rather than its text as well.
BOOST_AUTO_TEST_CASE(images_are_captured_while_parsing) {
    const auto line = success_line("c", png_b64);
    for (const std::size_t piece : {std::size_t{1}, std::size_t{5}, line.size()}) {
        openai::codec::json_document_parser p;
        p.capture_under({"response", "body"});
        for (std::size_t at = 0; at < line.size(); at += piece)
            BOOST_REQUIRE(p.write(std::string_view(line).substr(at, piece)));
        BOOST_REQUIRE(p.finish());
        auto doc = p.release();
        BOOST_TEST_REQUIRE(doc.blobs.count(0) == 1u);
        BOOST_TEST(doc.blobs[0].bytes == decode64(png_b64));
        const auto& b64 = doc.root.at("response").at("body").at("data").at(0).at("b64_json");
        BOOST_TEST(b64.as_string().empty());
    }
    // Elsewhere in the line, an image string is ordinary text.
    openai::codec::json_document_parser p;
    p.capture_under({"response", "body"});
    BOOST_REQUIRE(
        p.write(R"({"data":[{"b64_json":"QUJD"}],"response":{"data":[{"b64_json":"QQ"}]}})"));
    BOOST_REQUIRE(p.finish());
    const auto doc = p.release();
    BOOST_TEST(doc.blobs.empty());
    BOOST_TEST(doc.root.at("data").at(0).at("b64_json").as_string() == "QUJD");
}

namespace {

struct sunk_image {
    std::uint64_t line = 0;
    std::size_t index = 0;
    std::string bytes;
    bool complete = false;
    bool ended = false;

    friend bool operator==(const sunk_image&, const sunk_image&) = default;
};

// Records what an image sink is given, and checks the order of the calls.
struct recording_sink final : openai::batch_image_sink {
    std::vector<sunk_image> images;
    std::size_t largest_piece = 0;

    void on_image_begin(std::uint64_t line, std::size_t index) override {
        BOOST_TEST((images.empty() || images.back().ended));
        images.push_back({line, index, {}, false, false});
    }
    void on_image_data(std::string_view bytes) override {
        BOOST_TEST_REQUIRE((!images.empty() && !images.back().ended));
        BOOST_TEST(!bytes.empty());
        largest_piece = std::max(largest_piece, bytes.size());
        images.back().bytes.append(bytes);
    }
    void on_image_end(bool complete) override {
        BOOST_TEST_REQUIRE((!images.empty() && !images.back().ended));
        images.back().complete = complete;
        images.back().ended = true;
    }
};

std::vector<batch_result> read_sunk(const std::vector<std::string_view>& pieces,
                                    recording_sink& sink) {
    openai::batch_output_reader reader;
    reader.set_image_sink(&sink);
    std::vector<batch_result> out;
    for (const auto piece : pieces)
        openai::read_batch_output(reader, piece, false, [&](batch_result&& r) {
            // Every image of the line has ended before its result.
            BOOST_TEST((sink.images.empty() || sink.images.back().ended));
            out.push_back(std::move(r));
        });
    openai::read_batch_output(reader, {}, true,
                              [&](batch_result&& r) { out.push_back(std::move(r)); });
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(image_sink_gets_the_images_as_they_decode) {
    const auto text = sample_output();
    const auto held = read_whole(text);
    recording_sink whole_sink;
    const auto r = read_sunk({text}, whole_sink);
    BOOST_TEST_REQUIRE(r.size() == held.size());
    const std::vector<sunk_image> expected = {
        {1, 0, decode64(png_b64), true, true},
        {2, 1, "hello", true, true},
        {5, 0, "image!", true, true},
    };
    BOOST_TEST((whole_sink.images == expected));
    // The results are those without a sink, but for the bytes, which went to the sink.
    for (std::size_t i = 0; i < r.size(); ++i) {
        auto h = held[i];
        if (h.response)
            for (auto& img : h.response->data)
                if (img.bytes)
                    img.bytes->clear();
        BOOST_TEST(same(r[i], h), "result " << i);
    }
    BOOST_TEST(r[0].response->data[0].has_bytes());
    BOOST_TEST(r[0].response->data[0].bytes->empty());

    // At every split and byte by byte: the same images.
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        recording_sink sink;
        read_sunk({std::string_view(text).substr(0, cut), std::string_view(text).substr(cut)},
                  sink);
        BOOST_TEST_REQUIRE((sink.images == expected), "cut at " << cut);
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < text.size(); ++i)
        bytes.push_back(std::string_view(text).substr(i, 1));
    recording_sink byte_sink;
    read_sunk(bytes, byte_sink);
    BOOST_TEST((byte_sink.images == expected));
    BOOST_TEST(byte_sink.largest_piece <= 3u);
}

BOOST_AUTO_TEST_CASE(image_sink_hears_of_broken_images) {
    const auto text = sample_malformed();
    recording_sink sink;
    const auto r = read_sunk({text}, sink);
    BOOST_TEST_REQUIRE(r.size() == 10u);
    BOOST_TEST_REQUIRE(sink.images.size() == 4u);
    BOOST_TEST(sink.images[0].line == 1u);
    BOOST_TEST(sink.images[0].complete);
    BOOST_TEST(sink.images[1].line == 4u); // bad base64
    BOOST_TEST(!sink.images[1].complete);
    BOOST_TEST(r[3].error.code == openai::errc::invalid_base64);
    BOOST_TEST(sink.images[2].line == 9u);
    BOOST_TEST(sink.images[2].complete);
    BOOST_TEST(sink.images[3].line == 10u); // the input ends inside it
    BOOST_TEST(!sink.images[3].complete);
    BOOST_TEST(sink.images[3].ended);
    BOOST_TEST(r[9].error.code == openai::errc::truncated_body);

    // Over the line limit inside an image: ended, incomplete.
    openai::batch_output_options options;
    options.max_line_size = 250; // the image starts before byte 150
    openai::batch_output_reader reader(options);
    recording_sink limited;
    reader.set_image_sink(&limited);
    std::vector<batch_result> out;
    const auto line = success_line("x", std::string(400, 'A')) + "\n";
    for (std::size_t at = 0; at < line.size(); at += 10)
        openai::read_batch_output(reader, std::string_view(line).substr(at, 10), false,
                                  [&](batch_result&& x) { out.push_back(std::move(x)); });
    BOOST_TEST_REQUIRE(out.size() == 1u);
    BOOST_TEST(out[0].error.code == openai::errc::body_too_large);
    BOOST_TEST_REQUIRE(limited.images.size() == 1u);
    BOOST_TEST((limited.images[0].ended && !limited.images[0].complete));
}

BOOST_AUTO_TEST_CASE(image_sink_memory_does_not_grow_with_the_image) {
    std::string image(4 * 1024 * 1024, '\0');
    std::uint32_t x = 99;
    for (auto& c : image) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    const auto b64 = openai::codec::base64_encode(image);
    // Three images in one line.
    std::string line = R"({"custom_id":"three","response":{"status_code":200,"body":{"data":[)";
    for (int i = 0; i < 3; ++i)
        line += std::string(i ? "," : "") + R"({"b64_json":")" + b64 + R"("})";
    line += "]}}}\n";
    constexpr std::size_t piece = 65536;
    std::vector<std::string_view> pieces;
    for (std::size_t at = 0; at < line.size(); at += piece)
        pieces.push_back(std::string_view(line).substr(at, piece));
    recording_sink sink;
    const auto r = read_sunk(pieces, sink);
    BOOST_TEST_REQUIRE(r.size() == 1u);
    BOOST_TEST(r[0].ok());
    BOOST_TEST_REQUIRE(sink.images.size() == 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(sink.images[i].index == i);
        BOOST_TEST((sink.images[i].bytes == image));
        BOOST_TEST(sink.images[i].complete);
    }
    // Pieces come as their text arrives: never more than one read's worth.
    BOOST_TEST(sink.largest_piece <= piece * 3 / 4 + 3);
}

BOOST_AUTO_TEST_SUITE_END()
