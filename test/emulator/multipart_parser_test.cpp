// The server-side multipart/form-data parser: hand-built bodies fed whole, split at every point,
// one byte at a time and in random pieces; CRLF rules, preamble/epilogue, boundary forms, file
// names as sent, streaming of a large part in bounded memory, and every malformation.
#include "emulator/multipart_parser.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <random>

namespace em = openai::emulator;

namespace {

// Records the parser's events as text, merging adjacent data slices.
class recorder : public em::multipart_sink {
public:
    void on_part_begin(const em::multipart_part& p) override {
        std::string e = "begin#" + std::to_string(p.index) + " name=" + p.name;
        if (p.filename)
            e += " filename=" + *p.filename;
        if (!p.content_type.empty())
            e += " type=" + p.content_type;
        events.push_back(e);
        in_data = false;
    }
    void on_part_data(std::string_view bytes) override {
        BOOST_TEST(!bytes.empty());
        largest_slice = std::max(largest_slice, bytes.size());
        if (!in_data)
            events.emplace_back("data:");
        events.back().append(bytes);
        in_data = true;
    }
    void on_part_end() override {
        events.emplace_back("end");
        in_data = false;
    }

    std::vector<std::string> events;
    bool in_data = false;
    std::size_t largest_slice = 0;
};

struct outcome {
    bool ok = false;
    std::string error;
    std::vector<std::string> events;
};

outcome parse_pieces(const std::string& body, const std::vector<std::size_t>& cuts,
                     const std::string& boundary = "XyZ", em::multipart_limits limits = {}) {
    recorder r;
    em::multipart_parser p(boundary, r, limits);
    std::size_t at = 0;
    bool ok = true;
    for (std::size_t cut : cuts) {
        ok = p.feed(std::string_view(body).substr(at, cut - at)) && ok;
        at = cut;
    }
    ok = p.feed(std::string_view(body).substr(at)) && ok;
    ok = p.finish() && ok;
    BOOST_TEST(ok == !p.failed());
    return {ok, p.error(), r.events};
}

// Parses whole, at every two-piece split, byte by byte and in random pieces; all must agree.
outcome parse(const std::string& body, const std::string& boundary = "XyZ",
              em::multipart_limits limits = {}) {
    const outcome whole = parse_pieces(body, {}, boundary, limits);
    auto same = [&](const outcome& o, const std::string& how) {
        BOOST_TEST(o.ok == whole.ok, how);
        BOOST_TEST(o.error == whole.error, how);
        BOOST_TEST((o.events == whole.events), how);
    };
    if (body.size() <= 2000)
        for (std::size_t cut = 0; cut <= body.size(); ++cut)
            same(parse_pieces(body, {cut}, boundary, limits), "split at " + std::to_string(cut));
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < body.size(); ++i)
        every.push_back(i);
    same(parse_pieces(body, every, boundary, limits), "one byte at a time");
    std::mt19937 gen(42);
    for (int round = 0; round < 5; ++round) {
        std::vector<std::size_t> cuts;
        for (std::size_t at = gen() % 9; at < body.size(); at += 1 + gen() % 13)
            cuts.push_back(at);
        same(parse_pieces(body, cuts, boundary, limits), "random pieces");
    }
    return whole;
}

using events = std::vector<std::string>;

const std::string basic_body = "--XyZ\r\n"
                               "Content-Disposition: form-data; name=\"prompt\"\r\n"
                               "\r\n"
                               "a cat\r\non two lines\r\n"
                               "--XyZ\r\n"
                               "Content-Disposition: form-data; name=\"image[]\"; "
                               "filename=\"cat.png\"\r\n"
                               "Content-Type: image/png\r\n"
                               "\r\n"
                               "\x89PNG\r\n\x1a\n-- not a boundary\r\n--XyY\r\n--xyz\r\n"
                               "--XyZ\r\n"
                               "content-disposition: FORM-DATA; NAME=n\r\n"
                               "\r\n"
                               "2\r\n"
                               "--XyZ--\r\n";

std::string part(const std::string& headers, const std::string& content) {
    return "--XyZ\r\n" + headers + "\r\n" + content + "\r\n";
}

std::string cd(const std::string& params) {
    return "Content-Disposition: form-data; " + params + "\r\n";
}

void expect_error(const std::string& body, const std::string& fragment,
                  em::multipart_limits limits = {}) {
    const auto o = parse(body, "XyZ", limits);
    BOOST_TEST(!o.ok);
    BOOST_TEST(o.error.find(fragment) != std::string::npos,
               "error \"" << o.error << "\" should contain \"" << fragment << "\"");
}

} // namespace

BOOST_AUTO_TEST_SUITE(multipart_parser)

BOOST_AUTO_TEST_CASE(fields_and_files) {
    const auto o = parse(basic_body);
    BOOST_TEST(o.ok, o.error);
    const events expected{"begin#0 name=prompt",
                          "data:a cat\r\non two lines",
                          "end",
                          "begin#1 name=image[] filename=cat.png type=image/png",
                          "data:\x89PNG\r\n\x1a\n-- not a boundary\r\n--XyY\r\n--xyz",
                          "end",
                          "begin#2 name=n",
                          "data:2",
                          "end"};
    BOOST_TEST(o.events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(boundary_from_content_type) {
    std::string error;
    auto b = em::parse_multipart_boundary("multipart/form-data; boundary=abc123", error);
    BOOST_TEST((b && *b == "abc123"));
    b = em::parse_multipart_boundary("Multipart/Form-Data;BOUNDARY=\"a b:c?\"", error);
    BOOST_TEST((b && *b == "a b:c?"));
    b = em::parse_multipart_boundary(
        "multipart/form-data; charset=utf-8; boundary=------------------------d74496d66958873e",
        error);
    BOOST_TEST((b && *b == "------------------------d74496d66958873e"));
    b = em::parse_multipart_boundary("  multipart/form-data ;\tboundary = x ; ", error);
    BOOST_TEST((b && *b == "x"));
    b = em::parse_multipart_boundary("multipart/form-data; boundary=" + std::string(70, 'b'),
                                     error);
    BOOST_TEST((b && b->size() == 70u));

    const std::pair<std::string, std::string> bad[] = {
        {"application/json", "expected multipart/form-data"},
        {"multipart/mixed; boundary=x", "expected multipart/form-data"},
        {"", "expected multipart/form-data"},
        {"multipart/form-data", "no boundary parameter"},
        {"multipart/form-data; charset=utf-8", "no boundary parameter"},
        {"multipart/form-data; boundary=", "has no value"},
        {"multipart/form-data; boundary=\"\"", "invalid multipart boundary"},
        {"multipart/form-data; boundary=" + std::string(71, 'b'), "invalid multipart boundary"},
        {"multipart/form-data; boundary=\"a@b\"", "invalid multipart boundary"},
        {"multipart/form-data; boundary=\"ab \"", "invalid multipart boundary"},
        {"multipart/form-data; boundary=\"abc", "unterminated"},
        {"multipart/form-data; boundary=a; boundary=b", "duplicate parameter"},
        {"multipart/form-data boundary=a", "expected ';'"},
    };
    for (const auto& [value, fragment] : bad) {
        error.clear();
        BOOST_TEST(!em::parse_multipart_boundary(value, error), value);
        BOOST_TEST(error.find(fragment) != std::string::npos, value << " -> " << error);
    }
}

BOOST_AUTO_TEST_CASE(unusual_boundaries) {
    for (const std::string& boundary :
         {std::string("a"), std::string("----WebKitFormBoundary7MA4YWxkTrZu0gW"),
          std::string("a b'()+_,-./:=?"), std::string(70, '-')}) {
        const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; " +
                                 "name=x\r\n\r\nv-" + boundary.substr(0, boundary.size() - 1) +
                                 "\r\n--" + boundary + "--";
        const auto o = parse(body, boundary);
        BOOST_TEST(o.ok, boundary << ": " << o.error);
        BOOST_TEST(
            (o.events ==
             events{"begin#0 name=x", "data:v-" + boundary.substr(0, boundary.size() - 1), "end"}));
    }
}

BOOST_AUTO_TEST_CASE(preamble_and_epilogue) {
    const std::string body = "This is the preamble.\r\nIt is ignored, --XyZ too.\r\n" +
                             part(cd("name=a"), "1") +
                             "--XyZ--\r\nThis is the epilogue.\r\n--XyZ\r\n";
    const auto o = parse(body);
    BOOST_TEST(o.ok, o.error);
    BOOST_TEST((o.events == events{"begin#0 name=a", "data:1", "end"}));
    // An empty preamble line before the first boundary.
    const auto o2 = parse("\r\n" + part(cd("name=a"), "1") + "--XyZ--");
    BOOST_TEST(o2.ok, o2.error);
    BOOST_TEST(o2.events.size() == 3u);
}

BOOST_AUTO_TEST_CASE(transport_padding_after_boundaries) {
    const std::string body = "--XyZ \t \r\n" + cd("name=a") + "\r\nv\r\n--XyZ--  \r\n";
    const auto o = parse(body);
    BOOST_TEST(o.ok, o.error);
    BOOST_TEST((o.events == events{"begin#0 name=a", "data:v", "end"}));
}

BOOST_AUTO_TEST_CASE(empty_parts_and_no_parts) {
    const auto o =
        parse(part(cd("name=a; filename=\"\""), "") + part(cd("name=b"), "") + "--XyZ--");
    BOOST_TEST(o.ok, o.error);
    BOOST_TEST((o.events == events{"begin#0 name=a filename=", "end", "begin#1 name=b", "end"}));
    const auto none = parse("--XyZ--\r\n");
    BOOST_TEST(none.ok, none.error);
    BOOST_TEST(none.events.empty());
}

BOOST_AUTO_TEST_CASE(filenames_are_reported_as_sent) {
    const std::pair<std::string, std::string> cases[] = {
        {"filename=\"C:\\Users\\me\\cat.png\"", "C:\\Users\\me\\cat.png"},
        {"filename=\"../../etc/passwd\"", "../../etc/passwd"},
        {"filename=\"dir/sub dir/a;b=c.png\"", "dir/sub dir/a;b=c.png"},
        {"filename=\"a\\\"quoted\\\".png\"", "a\"quoted\".png"},
        {"filename=\"back\\\\slash\"", "back\\slash"},
        {"filename=plain.png", "plain.png"},
        {"filename=\"caf\xc3\xa9.png\"", "caf\xc3\xa9.png"},
        {"filename*=UTF-8''na%C3%AFve%20file.png", "na\xc3\xafve file.png"},
        {"filename=\"fallback.png\"; filename*=utf-8'en'real.png", "real.png"},
    };
    for (const auto& [param, expected] : cases) {
        const auto o = parse(part(cd("name=\"image\"; " + param), "x") + "--XyZ--");
        BOOST_TEST(o.ok, param << ": " << o.error);
        BOOST_TEST(o.events.at(0) == "begin#0 name=image filename=" + expected, param);
    }
}

BOOST_AUTO_TEST_CASE(other_headers_are_ignored_and_names_case_insensitive) {
    const auto o = parse(part("X-Custom: whatever\r\nCONTENT-TYPE:image/webp\r\n"
                              "Content-Transfer-Encoding: binary\r\n"
                              "content-disposition:form-data;name=\"a\";filename=\"f\"\r\n",
                              "..") +
                         "--XyZ--");
    BOOST_TEST(o.ok, o.error);
    BOOST_TEST(o.events.at(0) == "begin#0 name=a filename=f type=image/webp");
}

BOOST_AUTO_TEST_CASE(malformations_are_named) {
    const std::string end = "--XyZ--\r\n";
    expect_error(part("Content-Type: text/plain\r\n", "x") + end,
                 "part 1 has no Content-Disposition header");
    expect_error(part("", "x") + end, "part 1 has no Content-Disposition header");
    expect_error(part(cd("name=a"), "x") + part(cd("filename=\"a.png\""), "x") + end,
                 "the Content-Disposition of part 2 has no name");
    expect_error(part(cd("name=\"\""), "x") + end, "has no name");
    expect_error(part("Content-Disposition: attachment; name=a\r\n", "x") + end,
                 "is \"attachment\", expected form-data");
    expect_error(part(cd("name=a") + cd("name=b"), "x") + end, "two Content-Disposition headers");
    expect_error(part(cd("name=a; name=b"), "x") + end, "duplicate parameter \"name\"");
    expect_error(part(cd("name=a b"), "x") + end, "expected ';'");
    expect_error(part(cd("name=\"a"), "x") + end, "unterminated quoted value");
    expect_error(part(cd("name=a; filename*=latin1''x"), "x") + end, "unsupported charset");
    expect_error(part(cd("name=a; filename*=utf-8''%zz"), "x") + end, "malformed percent escape");
    expect_error(part(cd("name=a") + "Content-Type: \r\n", "x") + end, "empty Content-Type");
    expect_error(part(cd("name=a") + "Content-Type: a\r\nContent-Type: b\r\n", "x") + end,
                 "two Content-Type headers");
    expect_error(part(cd("name=a") + "no colon here\r\n", "x") + end, "malformed header line");
    expect_error(part(cd("name=a") + ": empty name\r\n", "x") + end, "malformed header line");
    expect_error(part(cd("name=a") + " folded: line\r\n", "x") + end, "folded");
    expect_error(part(cd("name=a") + "X: a\x01z\r\n", "x") + end, "control character");
}

BOOST_AUTO_TEST_CASE(crlf_rules) {
    const std::string end = "--XyZ--\r\n";
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\n\r\nx\r\n" + end, "bare LF");
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\nx\r\n" + end, "bare LF");
    expect_error("--XyZ\r\nContent-Disposition: form-data; name=a\rx\r\n\r\nx\r\n" + end,
                 "CR not followed by LF");
    expect_error("--XyZ\n" + cd("name=a") + "\r\nx\r\n" + end, "unexpected bytes after a boundary");
    expect_error("--XyZ\rX" + cd("name=a") + "\r\nx\r\n" + end, "does not end with CRLF");
    expect_error("--XyZ \t x\r\n" + cd("name=a") + "\r\nx\r\n" + end,
                 "unexpected bytes after a boundary");
    // A delimiter needs the CRLF before it: LF alone leaves it inside the data.
    const auto o = parse(part(cd("name=a"), "x\n--XyZ--") + end);
    BOOST_TEST(o.ok, o.error);
    BOOST_TEST(o.events.at(1) == "data:x\n--XyZ--");
}

BOOST_AUTO_TEST_CASE(garbage_and_missing_boundaries) {
    expect_error("", "no boundary delimiter \"--XyZ\" in the body");
    expect_error("just some text, not multipart at all", "no boundary delimiter");
    expect_error("{\"prompt\":\"a cat\"}", "no boundary delimiter");
    expect_error("--XyZX\r\n" + cd("name=a") + "\r\nx\r\n--XyZ--",
                 "unexpected bytes after a boundary");
    expect_error(part(cd("name=a"), "x") + "--XyZ-x", "unexpected bytes after a boundary");
    expect_error(part(cd("name=a"), "x") + "--XyZ", "ends after a boundary delimiter");
    expect_error(part(cd("name=a"), "x") + "--XyZ  \r", "ends after a boundary delimiter");
    expect_error(part(cd("name=a"), "x"), "ends inside part 1 (name \"a\")");
    expect_error(part(cd("name=a"), "x").substr(0, 50),
                 "ends inside part 1 (name \"a\"), without the final boundary \"--XyZ--\"");
    expect_error("--XyZ\r\nContent-Dispo", "ends inside the headers of part 1");
    expect_error(part(cd("name=a"), "x") + "--XyZ\r\n" + cd("name=b") + "\r\nabc",
                 "ends inside part 2 (name \"b\")");
    expect_error(part(cd("name=a"), "x") + "--XyZ-", "without the final boundary");
    // A long body without the boundary is refused early, not read to the end.
    recorder r;
    em::multipart_parser p("XyZ", r, {.max_preamble = 1000});
    BOOST_TEST(p.feed(std::string(900, 'g')));
    BOOST_TEST(!p.feed(std::string(200, 'g')));
    BOOST_TEST(p.error().find("within the first 1000 bytes") != std::string::npos, p.error());
}

BOOST_AUTO_TEST_CASE(limits) {
    em::multipart_limits limits;
    limits.max_header_line = 40;
    expect_error(part("X-Long: " + std::string(40, 'a') + "\r\n" + cd("name=a"), "x") + "--XyZ--",
                 "a header line of part 1 is longer than 40 bytes", limits);
    limits = {};
    limits.max_header_lines = 2;
    expect_error(part("A: 1\r\nB: 2\r\n" + cd("name=a"), "x") + "--XyZ--",
                 "part 1 has more than 2 header lines", limits);
    limits = {};
    limits.max_parts = 2;
    expect_error(part(cd("name=a"), "") + part(cd("name=b"), "") + part(cd("name=c"), "") +
                     "--XyZ--",
                 "more than 2 parts", limits);
    BOOST_TEST(
        parse(part(cd("name=a"), "") + part(cd("name=b"), "") + "--XyZ--", "XyZ", limits).ok);
}

BOOST_AUTO_TEST_CASE(errors_stick_and_report_the_offset) {
    recorder r;
    em::multipart_parser p("XyZ", r);
    BOOST_TEST(p.feed("--XyZ\r\n"));
    BOOST_TEST(!p.feed("Bad header\r\n\r\n"));
    const std::string error = p.error();
    BOOST_TEST(error.find("(at byte 18)") != std::string::npos, error);
    BOOST_TEST(!p.feed("--XyZ--"));
    BOOST_TEST(!p.finish());
    BOOST_TEST(p.error() == error);
    BOOST_TEST(p.failed());
    BOOST_TEST(!p.complete());
}

BOOST_AUTO_TEST_CASE(unusable_boundaries_fail_at_once) {
    for (const std::string& b :
         {std::string(), std::string("a\rb"), std::string("a\nb"), std::string(71, 'b')}) {
        recorder r;
        em::multipart_parser p(b, r);
        BOOST_TEST(p.failed());
        BOOST_TEST(p.error().find("invalid multipart boundary") != std::string::npos);
        BOOST_TEST(!p.feed("--" + b + "\r\n"));
        BOOST_TEST(r.events.empty());
    }
}

BOOST_AUTO_TEST_CASE(a_sink_can_refuse) {
    struct picky : em::multipart_sink {
        void on_part_begin(const em::multipart_part& part) override {
            if (part.name == "forbidden")
                throw em::multipart_error("field 'forbidden' is not accepted");
        }
        void on_part_data(std::string_view) override {}
        void on_part_end() override {}
    } sink;
    em::multipart_parser p("XyZ", sink);
    BOOST_TEST(p.feed(part(cd("name=ok"), "1")));
    BOOST_TEST(!p.feed(part(cd("name=forbidden"), "1")));
    BOOST_TEST(p.error() == "field 'forbidden' is not accepted");
}

BOOST_AUTO_TEST_CASE(randomized_bodies_round_trip) {
    // Contents drawn from an alphabet rich in CR, LF, '-' and boundary letters, so that partial
    // delimiters occur everywhere; the boundary itself never occurs after CRLF in content.
    std::mt19937 gen(7);
    const std::string alphabet("\r\n-XyZxz a\x00\xff", 12);
    const std::string boundary = "XyZ";
    for (int round = 0; round < 60; ++round) {
        std::string body = gen() % 2 ? "preamble\r\n" : "";
        events expected;
        const std::size_t parts = gen() % 4;
        for (std::size_t i = 0; i < parts; ++i) {
            std::string content;
            const std::size_t n = gen() % 40;
            for (std::size_t k = 0; k < n; ++k) {
                content += alphabet[gen() % alphabet.size()];
                if (content.size() >= 5 && content.compare(content.size() - 5, 5, "\r\n--X") == 0)
                    content.back() = 'x';
            }
            if (content.size() >= 4 && content.compare(content.size() - 4, 4, "\r\n--") == 0)
                content += 'q'; // would join the delimiter that follows into "\r\n--\r\n--XyZ"
            const std::string name = "f" + std::to_string(i);
            body += "--" + boundary + "\r\n" + cd("name=" + name) + "\r\n" + content + "\r\n";
            expected.push_back("begin#" + std::to_string(i) + " name=" + name);
            if (!content.empty())
                expected.push_back("data:" + content);
            expected.push_back("end");
        }
        body += "--" + boundary + "--";
        const auto o = parse(body, boundary);
        BOOST_TEST(o.ok, o.error);
        BOOST_TEST(o.events == expected, boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(large_part_streams_in_bounded_memory) {
    // 20 MB of content fed in 64 KiB pieces, generated on the fly: the sink must receive each
    // piece's bytes during that piece's feed (all but a possible delimiter start held back).
    struct counter : em::multipart_sink {
        void on_part_begin(const em::multipart_part&) override { ++begins; }
        void on_part_data(std::string_view bytes) override {
            received += bytes.size();
            for (char c : bytes)
                checksum = checksum * 31 + static_cast<unsigned char>(c);
        }
        void on_part_end() override { ++ends; }
        int begins = 0;
        int ends = 0;
        std::uint64_t received = 0;
        std::uint64_t checksum = 0;
    } sink;
    em::multipart_parser p("XyZ", sink);
    BOOST_REQUIRE(p.feed("--XyZ\r\n" + cd("name=\"image\"; filename=\"big.bin\"") + "\r\n"));
    constexpr std::size_t total = 20u << 20;
    constexpr std::size_t piece = 64u << 10;
    std::uint64_t expected_checksum = 0;
    std::uint64_t sent = 0;
    std::string chunk(piece, '\0');
    std::uint32_t state = 1;
    for (std::size_t done = 0; done < total; done += piece) {
        for (std::size_t i = 0; i < piece; ++i) {
            state = state * 1664525u + 1013904223u;
            // Many CRs and "\r\n--" starts to exercise hold-back, never a whole delimiter.
            const unsigned v = state >> 24;
            chunk[i] = v < 16 ? '\r' : v < 32 ? '\n' : v < 48 ? '-' : static_cast<char>(v);
            expected_checksum = expected_checksum * 31 + static_cast<unsigned char>(chunk[i]);
        }
        BOOST_REQUIRE(p.feed(chunk));
        sent += chunk.size();
        BOOST_REQUIRE(sink.received + 8 >= sent); // at most a delimiter's length held back
    }
    BOOST_TEST(p.feed("\r\n--XyZ--\r\n"));
    BOOST_TEST(p.finish(), p.error());
    BOOST_TEST(sink.received == total);
    BOOST_TEST(sink.checksum == expected_checksum);
    BOOST_TEST(sink.begins == 1);
    BOOST_TEST(sink.ends == 1);
}

BOOST_AUTO_TEST_CASE(near_miss_delimiters_are_content) {
    // Content made of delimiter prefixes one byte short, over and over.
    const std::string boundary(70, 'b');
    const std::string near = "\r\n--" + boundary.substr(0, 69) + "c";
    std::string content;
    while (content.size() < (8u << 20))
        content += near;
    const std::string body =
        "--" + boundary + "\r\n" + cd("name=a") + "\r\n" + content + "\r\n--" + boundary + "--";
    struct count : em::multipart_sink {
        void on_part_begin(const em::multipart_part&) override {}
        void on_part_data(std::string_view b) override { n += b.size(); }
        void on_part_end() override {}
        std::size_t n = 0;
    } sink;
    em::multipart_parser p(boundary, sink);
    for (std::size_t at = 0; at < body.size(); at += 1000)
        BOOST_REQUIRE(p.feed(std::string_view(body).substr(at, 1000)));
    BOOST_TEST(p.finish());
    BOOST_TEST(sink.n == content.size());
}

BOOST_AUTO_TEST_SUITE_END()
