#include "api/file_reader.hpp"
#include "codec/multipart.hpp"

#include <openai/error.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace fs = std::filesystem;
using openai::codec::multipart_body;
using openai::codec::multipart_field;
using openai::codec::multipart_file;
using openai::codec::multipart_options;

namespace {

// A scratch directory removed at the end of each test.
struct temp_dir {
    fs::path path;
    temp_dir() {
        std::random_device rd;
        path = fs::temp_directory_path() /
               ("openai_multipart_test_" + std::to_string(rd()) + "_" + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const fs::path& rel, std::string_view bytes) const {
        const auto p = path / rel;
        fs::create_directories(p.parent_path());
        std::ofstream out(p, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return p;
    }
};

void put_be32(std::string& s, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        s += static_cast<char>((v >> shift) & 0xff);
}

// The start of a PNG (signature and IHDR) followed by arbitrary bytes: all that the multipart
// writer looks at.
std::string png_bytes(std::uint32_t w, std::uint32_t h, std::size_t payload, unsigned seed = 1) {
    std::string s("\x89PNG\r\n\x1a\n", 8);
    put_be32(s, 13);
    s += "IHDR";
    put_be32(s, w);
    put_be32(s, h);
    s += std::string("\x08\x06\x00\x00\x00", 5);
    std::mt19937 rng(seed);
    for (std::size_t i = 0; i < payload; ++i)
        s += static_cast<char>(rng() & 0xff);
    return s;
}

std::string jpeg_bytes(std::size_t payload) {
    std::string s("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01", 13);
    for (std::size_t i = 0; i < payload; ++i)
        s += static_cast<char>(i * 7 + 3);
    return s + "\xff\xd9";
}

std::string webp_bytes(std::size_t payload) {
    std::string s = "RIFF";
    s += std::string("\x20\x00\x00\x00", 4);
    s += "WEBPVP8L";
    s += std::string(payload, '\x5a');
    return s;
}

std::string read_all(multipart_body::reader r, std::size_t chunk, boost::system::error_code& ec) {
    std::string out;
    std::vector<char> buf(chunk);
    while (!r.done()) {
        const auto n = r.read(buf.data(), buf.size(), ec);
        BOOST_TEST_REQUIRE(n <= chunk);
        out.append(buf.data(), n);
        if (ec)
            break;
        BOOST_TEST_REQUIRE((n == chunk || r.done()), "a short read before the end");
    }
    return out;
}

std::string read_all(const multipart_body& b, std::size_t chunk = 4096) {
    boost::system::error_code ec;
    auto s = read_all(b.open(), chunk, ec);
    BOOST_TEST_REQUIRE(!ec, ec.message());
    return s;
}

// An independent reading of RFC 7578/2046, deliberately simple: the delimiter is CRLF "--"
// boundary, headers end at the first empty line.
struct parsed_part {
    std::string disposition;
    std::string name;
    std::optional<std::string> filename;
    std::optional<std::string> content_type;
    std::string data;
    int header_count = 0;
};

std::string param(std::string_view disposition, std::string_view key) {
    const std::string needle = "; " + std::string(key) + "=\"";
    const auto at = disposition.find(needle);
    if (at == std::string_view::npos)
        return "<absent>";
    const auto from = at + needle.size();
    const auto to = disposition.find('"', from);
    BOOST_TEST_REQUIRE(to != std::string_view::npos);
    return std::string(disposition.substr(from, to - from));
}

std::vector<parsed_part> parse(std::string_view body, std::string_view content_type) {
    const std::string_view prefix = "multipart/form-data; boundary=";
    BOOST_TEST_REQUIRE(content_type.starts_with(prefix));
    const std::string boundary(content_type.substr(prefix.size()));
    const std::string delimiter = "--" + boundary;
    std::vector<parsed_part> parts;
    BOOST_TEST_REQUIRE(body.starts_with(delimiter)); // no preamble
    std::size_t pos = delimiter.size();
    for (;;) {
        if (body.substr(pos) == "--\r\n")
            break; // close delimiter, no epilogue
        BOOST_TEST_REQUIRE(body.substr(pos, 2) == "\r\n");
        pos += 2;
        const auto headers_end = body.find("\r\n\r\n", pos);
        BOOST_TEST_REQUIRE(headers_end != std::string_view::npos);
        parsed_part part;
        auto headers = body.substr(pos, headers_end - pos);
        while (!headers.empty()) {
            const auto eol = headers.find("\r\n");
            const auto line = headers.substr(0, eol);
            headers = eol == std::string_view::npos ? "" : headers.substr(eol + 2);
            ++part.header_count;
            if (line.starts_with("Content-Disposition: "))
                part.disposition = std::string(line.substr(21));
            else if (line.starts_with("Content-Type: "))
                part.content_type = std::string(line.substr(14));
            else
                BOOST_FAIL("unexpected header line: " << line);
        }
        BOOST_TEST_REQUIRE(part.disposition.starts_with("form-data; name=\""));
        part.name = param(part.disposition, "name");
        if (auto f = param(part.disposition, "filename"); f != "<absent>")
            part.filename = f;
        pos = headers_end + 4;
        const auto next = body.find("\r\n" + delimiter, pos);
        BOOST_TEST_REQUIRE(next != std::string_view::npos);
        part.data = std::string(body.substr(pos, next - pos));
        parts.push_back(std::move(part));
        pos = next + 2 + delimiter.size();
    }
    return parts;
}

multipart_body make_ok(std::vector<multipart_field> fields, std::vector<multipart_file> files,
                       const multipart_options& options = openai::detail::local_file_options()) {
    boost::system::error_code ec;
    std::string message;
    auto body = multipart_body::make(std::move(fields), std::move(files), options, ec, message);
    BOOST_TEST_REQUIRE(!ec, message);
    BOOST_TEST_REQUIRE(body.valid());
    BOOST_TEST_REQUIRE(message.empty());
    return body;
}

struct failure {
    boost::system::error_code ec;
    std::string message;
};

failure make_fails(std::vector<multipart_field> fields, std::vector<multipart_file> files,
                   const multipart_options& options = openai::detail::local_file_options()) {
    failure f;
    auto body = multipart_body::make(std::move(fields), std::move(files), options, f.ec, f.message);
    BOOST_TEST(!body.valid());
    BOOST_TEST(body.content_length() == 0u);
    BOOST_TEST(!!f.ec);
    BOOST_TEST(!f.message.empty());
    return f;
}

std::shared_ptr<const std::string> shared(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

bool contains(std::string_view hay, std::string_view needle) {
    return hay.find(needle) != std::string_view::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(multipart)

BOOST_AUTO_TEST_CASE(body_parses_back_in_caller_order) {
    temp_dir dir;
    const auto png1 = png_bytes(256, 256, 3000, 1);
    const auto png2 = png_bytes(64, 32, 10, 2);
    const auto webp = webp_bytes(77);
    const auto jpeg = jpeg_bytes(500);
    const auto mask = png_bytes(256, 256, 40, 3);
    const auto p1 = dir.write("one.png", png1);
    const auto p2 = dir.write("sub/two.png", png2);
    const auto pw = dir.write("three.webp", webp);
    const auto pm = dir.write("mask.png", mask);
    const std::string prompt = "A \"quoted\" cat\r\nwith --dashes and unicode \xc3\xa9\xe2\x9c\x93";

    const auto body =
        make_ok({{"prompt", prompt}, {"model", "gpt-image-1"}, {"n", "2"}, {"empty", ""}},
                {{"image[]", "", std::nullopt, p1},
                 {"image[]", "", std::nullopt, shared(jpeg)},
                 {"image[]", "renamed.png", std::nullopt, p2},
                 {"image[]", "", std::nullopt, pw},
                 {"mask", "", std::nullopt, pm}});

    const auto bytes = read_all(body);
    BOOST_TEST(bytes.size() == body.content_length());
    const auto parts = parse(bytes, body.content_type());
    BOOST_TEST_REQUIRE(parts.size() == 9u);

    const std::pair<std::string_view, std::string_view> expected_fields[] = {
        {"prompt", prompt}, {"model", "gpt-image-1"}, {"n", "2"}, {"empty", ""}};
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(parts[i].name == expected_fields[i].first);
        BOOST_TEST(parts[i].data == expected_fields[i].second);
        BOOST_TEST(!parts[i].filename.has_value());
        BOOST_TEST(!parts[i].content_type.has_value());
        BOOST_TEST(parts[i].header_count == 1);
    }
    struct expected_file {
        std::string_view name, filename, type;
        const std::string& data;
    };
    const expected_file expected_files[] = {
        {"image[]", "one.png", "image/png", png1},
        {"image[]", "image.jpg", "image/jpeg", jpeg}, // bytes in memory: named after the field
        {"image[]", "renamed.png", "image/png", png2},
        {"image[]", "three.webp", "image/webp", webp},
        {"mask", "mask.png", "image/png", mask},
    };
    for (std::size_t i = 0; i < 5; ++i) {
        const auto& part = parts[4 + i];
        const auto& want = expected_files[i];
        BOOST_TEST(part.name == want.name);
        BOOST_TEST_REQUIRE(part.filename.has_value());
        BOOST_TEST(*part.filename == want.filename);
        BOOST_TEST_REQUIRE(part.content_type.has_value());
        BOOST_TEST(*part.content_type == want.type);
        BOOST_TEST((part.data == want.data), "file part " << i);
        BOOST_TEST(part.header_count == 2);
    }

    // What make() learnt, for the request rules.
    const auto& files = body.files();
    BOOST_TEST_REQUIRE(files.size() == 5u);
    BOOST_TEST(files[0].size == png1.size());
    BOOST_TEST((files[0].type == openai::codec::image_type::png));
    BOOST_TEST_REQUIRE(files[0].png_size.has_value());
    BOOST_TEST(files[0].png_size->first == 256u);
    BOOST_TEST(files[2].png_size->second == 32u);
    BOOST_TEST((files[1].type == openai::codec::image_type::jpeg));
    BOOST_TEST(!files[1].png_size.has_value());
    BOOST_TEST(files[1].origin == "<memory:image.jpg>");
    BOOST_TEST(files[3].origin == pw.string());
}

BOOST_AUTO_TEST_CASE(content_type_and_boundary) {
    const auto a = make_ok({{"prompt", "x"}}, {});
    const auto b = make_ok({{"prompt", "x"}}, {});
    BOOST_TEST(a.content_type() == "multipart/form-data; boundary=" + std::string(a.boundary()));
    BOOST_TEST(a.boundary() != b.boundary()); // random per body
    BOOST_TEST(a.boundary().size() >= 30u);
    BOOST_TEST(a.boundary().size() <= 70u);
    for (char c : a.boundary())
        BOOST_TEST((std::isalnum(static_cast<unsigned char>(c)) || c == '-'), c);
}

BOOST_AUTO_TEST_CASE(boundary_found_in_a_value_is_regenerated) {
    int calls = 0;
    multipart_options options;
    options.boundary_generator = [&] { return ++calls == 1 ? "collide" : "fresh-boundary"; };
    const auto body = make_ok({{"prompt", "this prompt contains collide inside"}}, {}, options);
    BOOST_TEST(calls == 2);
    BOOST_TEST(body.boundary() == "fresh-boundary");
    const auto parts = parse(read_all(body), body.content_type());
    BOOST_TEST_REQUIRE(parts.size() == 1u);
    BOOST_TEST(parts[0].data == "this prompt contains collide inside");

    options.boundary_generator = [] { return "always"; };
    const auto f = make_fails({{"prompt", "always the same"}}, {}, options);
    BOOST_TEST(f.ec == openai::errc::invalid_request);

    options.boundary_generator = [] { return "bad boundary with spaces"; };
    const auto g = make_fails({{"prompt", "x"}}, {}, options);
    BOOST_TEST(g.ec == openai::errc::invalid_request);
    BOOST_TEST(contains(g.message, "bad boundary with spaces"));
    options.boundary_generator = [] { return std::string(71, 'a'); };
    BOOST_TEST(make_fails({}, {}, options).ec == openai::errc::invalid_request);
}

BOOST_AUTO_TEST_CASE(empty_body_is_just_the_close_delimiter) {
    const auto body = make_ok({}, {});
    const auto bytes = read_all(body);
    BOOST_TEST(bytes == "--" + std::string(body.boundary()) + "--\r\n");
    BOOST_TEST(body.content_length() == bytes.size());
    BOOST_TEST(parse(bytes, body.content_type()).empty());
}

BOOST_AUTO_TEST_CASE(any_buffer_size_gives_the_same_bytes) {
    temp_dir dir;
    const auto p = dir.write("a.png", png_bytes(8, 8, 5000));
    const auto body = make_ok({{"prompt", "hello"}, {"size", "1024x1024"}},
                              {{"image", "", std::nullopt, p},
                               {"mask", "", std::nullopt, shared(png_bytes(8, 8, 300, 9))}});
    const auto reference = read_all(body, 1);
    BOOST_TEST(reference.size() == body.content_length());
    for (std::size_t chunk : {2u, 3u, 7u, 13u, 64u, 1000u, 4096u, 65536u}) {
        BOOST_TEST((read_all(body, chunk) == reference), "chunk " << chunk);
    }
    // One huge buffer: everything in one call.
    auto r = body.open();
    std::vector<char> buf(body.content_length() + 1000);
    boost::system::error_code ec;
    const auto n = r.read(buf.data(), buf.size(), ec);
    BOOST_TEST(!ec);
    BOOST_TEST(n == body.content_length());
    BOOST_TEST(r.done());
    BOOST_TEST(r.position() == body.content_length());
    BOOST_TEST((std::string(buf.data(), n) == reference));
    BOOST_TEST(r.read(buf.data(), buf.size(), ec) == 0u); // after the end: nothing, no error
    BOOST_TEST(!ec);
    // A zero-size read makes no progress and is no error.
    auto r2 = body.open();
    BOOST_TEST(r2.read(buf.data(), 0, ec) == 0u);
    BOOST_TEST(!ec);
    BOOST_TEST(!r2.done());
}

BOOST_AUTO_TEST_CASE(replay_gives_identical_bytes) {
    temp_dir dir;
    const auto p = dir.write("a.png", png_bytes(16, 16, 20000));
    const auto body = make_ok({{"prompt", "p"}}, {{"image", "", std::nullopt, p}});
    const auto first = read_all(body, 1024);
    const auto second = read_all(body, 999);
    BOOST_TEST((first == second));

    // Two readers interleaved are independent.
    auto r1 = body.open();
    auto r2 = body.open();
    std::string s1, s2;
    std::vector<char> buf(777);
    boost::system::error_code ec;
    while (!r1.done() || !r2.done()) {
        s1.append(buf.data(), r1.read(buf.data(), buf.size(), ec));
        BOOST_TEST_REQUIRE(!ec);
        s2.append(buf.data(), r2.read(buf.data(), 333, ec));
        BOOST_TEST_REQUIRE(!ec);
    }
    BOOST_TEST((s1 == first));
    BOOST_TEST((s2 == first));

    // A copy of the body and a reader that outlives the body produce the same bytes.
    multipart_body::reader late;
    {
        const multipart_body copy = body;
        late = copy.open();
    }
    BOOST_TEST((read_all(std::move(late), 4096, ec) == first));
    BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_CASE(large_file_is_streamed_from_disk) {
    temp_dir dir;
    // 6 MB of a pattern that can be checked piecewise without holding the body.
    constexpr std::size_t size = 6u << 20;
    auto pattern = [](std::uint64_t i) { return static_cast<char>((i * 2654435761u) >> 13); };
    std::string data = png_bytes(1024, 1024, 0);
    const std::size_t header = data.size();
    for (std::size_t i = header; i < size; ++i)
        data += pattern(i);
    const auto p = dir.write("big.png", data);
    data.clear();
    data.shrink_to_fit();

    const auto body = make_ok({{"prompt", "big"}}, {{"image", "", std::nullopt, p}});
    BOOST_TEST(body.files().at(0).size == size);

#if defined(__GLIBC__)
    auto heap_in_use = [] {
        const auto mi = mallinfo2();
        return mi.uordblks + mi.hblkhd;
    };
    // The measure must be able to see a file-sized allocation (allocators that replace glibc's,
    // like AddressSanitizer's, leave mallinfo2 blind: the check is then skipped).
    bool heap_measurable = false;
    {
        const auto before = heap_in_use();
        auto probe = std::make_unique<char[]>(size);
        probe[size - 1] = 1;
        heap_measurable = heap_in_use() - before >= size;
    }
    const auto heap_before = heap_in_use();
    std::size_t heap_peak = heap_before;
#endif
    auto r = body.open();
    constexpr std::size_t chunk = 64 * 1024;
    std::vector<char> buf(chunk);
    std::string prefix; // the bytes before the file contents
    boost::system::error_code ec;
    std::uint64_t total = 0;
    std::uint64_t file_offset = 0;
    bool in_file = false;
    std::string tail; // the bytes after the file contents
    std::size_t mismatches = 0;
    while (!r.done()) {
        const auto n = r.read(buf.data(), buf.size(), ec);
        BOOST_TEST_REQUIRE(!ec, r.error_message());
#if defined(__GLIBC__)
        heap_peak = std::max(heap_peak, heap_in_use());
#endif
        for (std::size_t i = 0; i < n; ++i) {
            if (!in_file && file_offset == 0) {
                prefix += buf[i];
                if (prefix.ends_with("\r\n\r\n") && prefix.find("filename=") != std::string::npos)
                    in_file = true;
            } else if (in_file) {
                const char want = file_offset < header ? buf[i] : pattern(file_offset);
                mismatches += buf[i] != want;
                if (++file_offset == size)
                    in_file = false;
            } else {
                tail += buf[i];
            }
        }
        total += n;
    }
    BOOST_TEST(mismatches == 0u);
    BOOST_TEST(file_offset == size);
    BOOST_TEST(total == body.content_length());
    BOOST_TEST(tail == "\r\n--" + std::string(body.boundary()) + "--\r\n");
#if defined(__GLIBC__)
    // The reader holds no copy of the file: the heap grows by far less than its 6 MB.
    BOOST_TEST_MESSAGE("heap growth while streaming 6 MB: "
                       << heap_peak - heap_before << " bytes (measurable: " << heap_measurable
                       << ")");
    if (heap_measurable)
        BOOST_TEST(heap_peak - heap_before < (1u << 20));
#endif
}

BOOST_AUTO_TEST_CASE(contents_are_read_while_the_body_is_written) {
    // Bytes changed on disk (same size) after make() and after reading began show up in the
    // body: nothing of the file was read ahead beyond the current chunk.
    temp_dir dir;
    const auto original = png_bytes(4, 4, 1u << 20);
    const auto p = dir.write("a.png", original);
    const auto body = make_ok({}, {{"image", "", std::nullopt, p}});
    auto r = body.open();
    std::vector<char> buf(16 * 1024);
    boost::system::error_code ec;
    std::string out;
    out.append(buf.data(), r.read(buf.data(), buf.size(), ec));
    BOOST_TEST_REQUIRE(!ec);
    {
        std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(512 * 1024);
        f.write("CHANGED-IN-FLIGHT", 17);
    }
    while (!r.done()) {
        out.append(buf.data(), r.read(buf.data(), buf.size(), ec));
        BOOST_TEST_REQUIRE(!ec);
    }
    BOOST_TEST(contains(out, "CHANGED-IN-FLIGHT"));
    BOOST_TEST(out.size() == body.content_length());
}

BOOST_AUTO_TEST_CASE(file_that_changed_size_is_refused) {
    temp_dir dir;
    const auto p = dir.write("a.png", png_bytes(4, 4, 1000));
    const auto body = make_ok({{"prompt", "x"}}, {{"image", "", std::nullopt, p}});
    const auto good = read_all(body);

    // Grown between attempts.
    dir.write("a.png", png_bytes(4, 4, 1001));
    boost::system::error_code ec;
    auto r = body.open();
    auto partial = read_all(std::move(r), 100, ec);
    BOOST_TEST(ec == openai::errc::file_changed);
    BOOST_TEST(partial.size() < good.size());

    auto r2 = body.open();
    std::vector<char> buf(100000);
    BOOST_TEST(r2.read(buf.data(), buf.size(), ec) < good.size());
    BOOST_TEST(ec == openai::errc::file_changed);
    BOOST_TEST(contains(r2.error_message(), p.string()));
    BOOST_TEST(contains(r2.error_message(), "changed size"));
    // Sticky: a failed reader keeps failing.
    BOOST_TEST(r2.read(buf.data(), buf.size(), ec) == 0u);
    BOOST_TEST(ec == openai::errc::file_changed);

    // Shrunk.
    dir.write("a.png", png_bytes(4, 4, 10));
    auto r3 = body.open();
    r3.read(buf.data(), buf.size(), ec);
    BOOST_TEST(ec == openai::errc::file_changed);

    // Restored: the body is good again.
    dir.write("a.png", png_bytes(4, 4, 1000));
    BOOST_TEST((read_all(body) == good));

    // Removed.
    fs::remove(p);
    auto r4 = body.open();
    r4.read(buf.data(), buf.size(), ec);
    BOOST_TEST(ec == openai::errc::file_unreadable);
    BOOST_TEST(contains(r4.error_message(), p.string()));
}

BOOST_AUTO_TEST_CASE(file_that_changes_size_while_being_read_is_refused) {
    temp_dir dir;
    const auto content = png_bytes(4, 4, 200000);
    const auto p = dir.write("a.png", content);
    const auto body = make_ok({}, {{"image", "", std::nullopt, p}});
    std::vector<char> buf(4096);
    boost::system::error_code ec;

    { // Grows after the reader opened it: found at its end.
        auto r = body.open();
        r.read(buf.data(), buf.size(), ec);
        BOOST_TEST_REQUIRE(!ec);
        {
            std::ofstream app(p, std::ios::binary | std::ios::app);
            app << "more";
        }
        while (!r.done() && !ec)
            r.read(buf.data(), buf.size(), ec);
        BOOST_TEST(ec == openai::errc::file_changed);
        BOOST_TEST(contains(r.error_message(), "longer"));
    }
    dir.write("a.png", content);
    { // Truncated after the reader opened it: a short read.
        auto r = body.open();
        r.read(buf.data(), buf.size(), ec);
        BOOST_TEST_REQUIRE(!ec);
        fs::resize_file(p, 100000);
        while (!r.done() && !ec)
            r.read(buf.data(), buf.size(), ec);
        BOOST_TEST(ec == openai::errc::file_changed);
        BOOST_TEST(contains(r.error_message(), "ended after"));
    }
}

BOOST_AUTO_TEST_CASE(header_injection_is_refused) {
    const auto png = shared(png_bytes(4, 4, 10));
    struct bad_name {
        std::string_view name;
        std::string_view problem;
    };
    const bad_name names[] = {
        {"prompt\r\nX-Evil: 1", "CR"},
        {"prompt\nx", "LF"},
        {std::string_view("pro\0mpt", 7), "NUL"},
        {"pro\"mpt", "double quote"},
        {"pro\\mpt", "backslash"},
        {"tab\there", "control character"},
        {"", "empty"},
    };
    for (const auto& n : names) {
        const auto f = make_fails({{std::string(n.name), "v"}}, {});
        BOOST_TEST(f.ec == openai::errc::invalid_file_name, n.problem);
        BOOST_TEST(contains(f.message, n.problem), f.message);
        BOOST_TEST(contains(f.message, "field name"), f.message);

        const auto g = make_fails({}, {{std::string(n.name), "a.png", std::nullopt, png}});
        BOOST_TEST(g.ec == openai::errc::invalid_file_name, n.problem);
        BOOST_TEST(contains(g.message, n.problem), g.message);
    }
    // The message shows the offending name with its control characters made visible.
    const auto f = make_fails({{"prompt\r\nX-Evil: 1", "v"}}, {});
    BOOST_TEST(contains(f.message, "\"prompt\\r\\nX-Evil: 1\""), f.message);

    const std::string_view bad_filenames[] = {
        "a\r\n.png", "a\".png", std::string_view("a\0.png", 6), "a\n.png", "dir/", "x/y\r\nz/"};
    for (auto fn : bad_filenames) {
        const auto g = make_fails({}, {{"image", std::string(fn), std::nullopt, png}});
        BOOST_TEST(g.ec == openai::errc::invalid_file_name, fn);
        BOOST_TEST(contains(g.message, "filename"), g.message);
    }
    // A content type given by the caller may not break the header either.
    const auto c = make_fails({}, {{"image", "a.png", std::string("image/png\r\nX-Evil: 1"), png}});
    BOOST_TEST(c.ec == openai::errc::invalid_request);
    BOOST_TEST(contains(c.message, "content type"), c.message);

    // Values may hold anything.
    const std::string anything("line1\r\nContent-Type: evil\r\n\r\n\"quoted\"\0end", 41);
    const auto body = make_ok({{"prompt", anything}}, {});
    const auto parts = parse(read_all(body), body.content_type());
    BOOST_TEST_REQUIRE(parts.size() == 1u);
    BOOST_TEST(parts[0].data == anything);
}

BOOST_AUTO_TEST_CASE(unreadable_files_are_named) {
    temp_dir dir;
    const auto missing = dir.path / "nope" / "missing.png";
    const auto f = make_fails({}, {{"image", "", std::nullopt, missing}});
    BOOST_TEST(f.ec == openai::errc::file_unreadable);
    BOOST_TEST(contains(f.message, missing.string()), f.message);

    const auto g = make_fails({}, {{"image", "x.png", std::nullopt, dir.path}});
    BOOST_TEST(g.ec == openai::errc::file_unreadable);
    BOOST_TEST(contains(g.message, "not a regular file"), g.message);

    const auto h =
        make_fails({}, {{"image", "x.png", std::nullopt, std::shared_ptr<const std::string>{}}});
    BOOST_TEST(h.ec == openai::errc::invalid_request);

#if !defined(_WIN32)
    // Permission denied (meaningless for root, who reads anything).
    const auto locked = dir.write("locked.png", png_bytes(4, 4, 10));
    fs::permissions(locked, fs::perms::none);
    std::ifstream probe(locked);
    if (!probe) {
        const auto k = make_fails({}, {{"image", "", std::nullopt, locked}});
        BOOST_TEST(k.ec == openai::errc::file_unreadable);
        BOOST_TEST(contains(k.message, locked.string()), k.message);
    }
    fs::permissions(locked, fs::perms::owner_all);
#endif
}

// Codec reads files only through the multipart_file_system it is given: none means no file part
// by path, and a file system in memory serves the parts without a disk.
struct memory_files final : openai::codec::multipart_file_system {
    struct stream final : openai::codec::multipart_file_stream {
        const std::string* bytes;
        std::size_t at = 0;
        explicit stream(const std::string* b)
            : bytes(b) {}
        std::optional<std::uint64_t> size(std::string&) override { return bytes->size(); }
        std::size_t read(char* buf, std::size_t n, std::string&) override {
            const auto k = std::min(n, bytes->size() - at);
            std::memcpy(buf, bytes->data() + at, k);
            at += k;
            return k;
        }
    };
    std::map<std::string, std::string> files;
    std::optional<std::uint64_t> regular_file_size(const fs::path& p,
                                                   std::string& error) const override {
        const auto it = files.find(p.string());
        if (it == files.end()) {
            error = "no such file";
            return std::nullopt;
        }
        return it->second.size();
    }
    std::unique_ptr<openai::codec::multipart_file_stream> open(const fs::path& p,
                                                               std::string& error) const override {
        const auto it = files.find(p.string());
        if (it == files.end()) {
            error = "no such file";
            return nullptr;
        }
        return std::make_unique<stream>(&it->second);
    }
};

BOOST_AUTO_TEST_CASE(files_are_read_only_through_the_given_file_system) {
    const fs::path path = "/nowhere/a.png";
    const auto none = make_fails({}, {{"image", "", std::nullopt, path}}, multipart_options{});
    BOOST_TEST(none.ec == openai::errc::file_unreadable);
    BOOST_TEST(contains(none.message, "no file access"), none.message);

    auto files = std::make_shared<memory_files>();
    const auto png = png_bytes(2, 3, 100);
    files->files[path.string()] = png;
    multipart_options options;
    options.files = files;
    options.boundary_generator = [] { return std::string("b"); };
    const auto body = make_ok({}, {{"image", "", std::nullopt, path}}, options);
    BOOST_TEST_REQUIRE(body.files().size() == 1u);
    BOOST_TEST(body.files()[0].filename == "a.png");
    BOOST_TEST(body.files()[0].content_type == "image/png");
    BOOST_TEST(contains(read_all(body), png));
}

BOOST_AUTO_TEST_CASE(unsupported_types_are_refused_before_sending) {
    temp_dir dir;
    const auto gif = dir.write("anim.gif", "GIF89a\x01\x00\x01\x00\x80\x00\x00");
    const auto f = make_fails({}, {{"image", "", std::nullopt, gif}});
    BOOST_TEST(f.ec == openai::errc::unsupported_image_type);
    BOOST_TEST(contains(f.message, gif.string()), f.message);
    BOOST_TEST(contains(f.message, "47 49 46 38"), f.message); // shows the first bytes

    const auto text = make_fails({}, {{"image", "notes.txt", std::nullopt, shared("hello")}});
    BOOST_TEST(text.ec == openai::errc::unsupported_image_type);
    BOOST_TEST(contains(text.message, "notes.txt"), text.message);

    const auto empty_file = dir.write("empty.png", "");
    const auto e = make_fails({}, {{"image", "", std::nullopt, empty_file}});
    BOOST_TEST(e.ec == openai::errc::unsupported_image_type);

    const auto wave = make_fails(
        {}, {{"image", "", std::nullopt, shared(std::string("RIFF\x24\0\0\0WAVEfmt ", 16))}});
    BOOST_TEST(wave.ec == openai::errc::unsupported_image_type);

    // An empty content type means "sniff it"; an explicit one is sent as is.
    const auto s = make_fails({}, {{"image", "a.bin", std::string(), shared("data")}});
    BOOST_TEST(s.ec == openai::errc::unsupported_image_type);
    const auto body =
        make_ok({}, {{"file", "a.bin", std::string("application/x-custom"), shared("data")}});
    const auto parts = parse(read_all(body), body.content_type());
    BOOST_TEST_REQUIRE(parts.size() == 1u);
    BOOST_TEST(parts[0].content_type.value_or("") == "application/x-custom");
    BOOST_TEST(parts[0].data == "data");
}

BOOST_AUTO_TEST_CASE(only_the_basename_is_sent) {
    temp_dir dir;
    const auto png = png_bytes(4, 4, 10);
    const auto p = dir.write("dir/sub/a.png", png);
    const auto body = make_ok({}, {{"image[]", "", std::nullopt, p},
                                   {"image[]", "dir/sub/a.png", std::nullopt, shared(png)},
                                   {"image[]", "C:\\Users\\me\\b.png", std::nullopt, shared(png)},
                                   {"image[]", "/abs/path/c.png", std::nullopt, p},
                                   {"mask", "", std::nullopt, shared(png)}});
    const auto parts = parse(read_all(body), body.content_type());
    BOOST_TEST_REQUIRE(parts.size() == 5u);
    BOOST_TEST(parts[0].filename.value_or("") == "a.png");
    BOOST_TEST(parts[1].filename.value_or("") == "a.png");
    BOOST_TEST(parts[2].filename.value_or("") == "b.png");
    BOOST_TEST(parts[3].filename.value_or("") == "c.png");
    BOOST_TEST(parts[4].filename.value_or("") == "mask.png");
    const auto bytes = read_all(body);
    BOOST_TEST(!contains(bytes, "sub/"));
    BOOST_TEST(!contains(bytes, "Users"));
    BOOST_TEST(!contains(bytes, dir.path.string()));
    // Filenames may be UTF-8.
    const auto u = make_ok({}, {{"image", "caf\xc3\xa9.png", std::nullopt, shared(png)}});
    BOOST_TEST(parse(read_all(u), u.content_type()).at(0).filename.value_or("") ==
               "caf\xc3\xa9.png");
}

BOOST_AUTO_TEST_CASE(invalid_body_reads_nothing) {
    const multipart_body body;
    BOOST_TEST(!body.valid());
    BOOST_TEST(body.content_length() == 0u);
    BOOST_TEST(body.files().empty());
    auto r = body.open();
    BOOST_TEST(r.done());
    char c = 0;
    boost::system::error_code ec;
    BOOST_TEST(r.read(&c, 1, ec) == 0u);
    BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_SUITE_END()
