// The form collector and reader: fields kept whole (capped), files reduced to size, SHA-256,
// head and image header, limits, and a 20 MB upload streamed through in pieces.
#include "emulator/image_synth.hpp"
#include "emulator/multipart_form.hpp"

#include <boost/test/unit_test.hpp>

#include <openssl/evp.h>

namespace em = openai::emulator;

namespace {

const std::string content_type = "multipart/form-data; boundary=\"bnd-42\"";

std::string field_part(const std::string& name, const std::string& value) {
    return "--bnd-42\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value +
           "\r\n";
}

std::string file_part(const std::string& name, const std::string& filename, const std::string& type,
                      const std::string& data) {
    std::string headers = "Content-Disposition: form-data; name=\"" + name + "\"";
    if (!filename.empty())
        headers += "; filename=\"" + filename + "\"";
    headers += "\r\n";
    if (!type.empty())
        headers += "Content-Type: " + type + "\r\n";
    return "--bnd-42\r\n" + headers + "\r\n" + data + "\r\n";
}

const std::string end = "--bnd-42--\r\n";

std::string sha256_hex(std::string_view data) {
    unsigned char digest[32];
    unsigned int n = 0;
    EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

// Feeds `body` in pieces of `piece` bytes.
bool read_form(em::form_reader& reader, const std::string& body, std::size_t piece = 7) {
    if (!reader.start(content_type))
        return false;
    for (std::size_t at = 0; at < body.size(); at += piece)
        if (!reader.feed(std::string_view(body).substr(at, piece)))
            return false;
    return reader.finish();
}

std::string image(std::uint32_t w, std::uint32_t h, em::image_format f, bool transparent = false) {
    em::image_spec s;
    s.prompt = "upload";
    s.width = w;
    s.height = h;
    s.format = f;
    s.transparent = transparent;
    return em::synthesize(s).bytes;
}

} // namespace

BOOST_AUTO_TEST_SUITE(multipart_form)

BOOST_AUTO_TEST_CASE(an_edit_request) {
    const std::string png = image(64, 32, em::image_format::png);
    const std::string webp = image(20, 10, em::image_format::webp);
    const std::string mask = image(64, 32, em::image_format::png, true);
    const std::string body =
        field_part("model", "gpt-image-1") + field_part("prompt", "add a hat\r\nplease") +
        file_part("image[]", "C:\\photos\\a.png", "image/png", png) +
        file_part("image[]", "b.webp", "image/webp", webp) +
        file_part("mask", "mask.png", "image/png", mask) +
        file_part("notes", "n.txt", "text/plain", "abc") + field_part("n", "2") + end;
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, body.size()}) {
        em::form_reader reader;
        BOOST_TEST_REQUIRE(read_form(reader, body, piece), reader.error());
        const auto& form = reader.form();
        BOOST_TEST(form.fields.size() == 3u);
        BOOST_TEST(form.field("model")->value == "gpt-image-1");
        BOOST_TEST(form.field("prompt")->value == "add a hat\r\nplease");
        BOOST_TEST(form.field("n")->value == "2");
        BOOST_TEST(form.field("size") == nullptr);

        const auto images = form.files_named("image[]");
        BOOST_REQUIRE_EQUAL(images.size(), 2u);
        BOOST_TEST(images[0]->filename == "C:\\photos\\a.png");
        BOOST_TEST(images[0]->content_type == "image/png");
        BOOST_TEST(images[0]->size == png.size());
        BOOST_TEST(images[0]->sha256_hex() == sha256_hex(png));
        BOOST_TEST(images[0]->head == png.substr(0, 64));
        BOOST_TEST(images[0]->info.format == em::image_format::png);
        BOOST_TEST(images[0]->info.width == 64u);
        BOOST_TEST(images[0]->info.height == 32u);
        BOOST_TEST(!images[0]->info.has_alpha);
        BOOST_TEST(images[1]->info.format == em::image_format::webp);
        BOOST_TEST(images[1]->info.width == 20u);
        BOOST_TEST(images[1]->sha256_hex() == sha256_hex(webp));

        const auto masks = form.files_named("mask");
        BOOST_REQUIRE_EQUAL(masks.size(), 1u);
        BOOST_TEST(masks[0]->info.has_alpha);

        // A text/plain part with a filename is a file, not a field.
        BOOST_REQUIRE_EQUAL(form.files_named("notes").size(), 1u);
        BOOST_TEST(form.files_named("notes")[0]->head == "abc");
        BOOST_TEST(form.files_named("notes")[0]->info.format == em::image_format::unknown);
    }
}

BOOST_AUTO_TEST_CASE(sha256_of_known_vectors) {
    em::form_reader reader;
    BOOST_TEST_REQUIRE(
        read_form(reader, file_part("f", "abc", "", "abc") + file_part("e", "e", "", "") + end),
        reader.error());
    BOOST_TEST(reader.form().files[0].sha256_hex() ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(reader.form().files[1].size == 0u);
    BOOST_TEST(reader.form().files[1].sha256_hex() ==
               "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

BOOST_AUTO_TEST_CASE(parts_are_files_by_filename_or_non_text_type) {
    em::form_reader reader;
    BOOST_TEST_REQUIRE(read_form(reader, file_part("a", "", "image/png", "\x89PNG") +
                                             file_part("b", "", "text/plain; charset=utf-8", "t") +
                                             file_part("c", "", "TEXT/PLAIN", "u") +
                                             file_part("d", "x.bin", "", "v") + end),
                       reader.error());
    const auto& form = reader.form();
    BOOST_TEST(form.files.size() == 2u);
    BOOST_TEST(form.files[0].name == "a");
    BOOST_TEST(form.files[0].filename.empty());
    BOOST_TEST(form.files[1].name == "d");
    BOOST_TEST(form.fields.size() == 2u);
    BOOST_TEST(form.field("b")->content_type == "text/plain; charset=utf-8");
    BOOST_TEST(form.fields_named("c").size() == 1u);
}

BOOST_AUTO_TEST_CASE(field_cap) {
    em::form_limits limits;
    limits.max_field_bytes = 10;
    em::form_reader ok(limits);
    BOOST_TEST(read_form(ok, field_part("prompt", std::string(10, 'p')) + end), ok.error());
    em::form_reader too_long(limits);
    BOOST_TEST(!read_form(too_long, field_part("prompt", std::string(11, 'p')) + end));
    BOOST_TEST(too_long.error() == "form field 'prompt' is longer than 10 bytes");
    // Files are not capped by it.
    em::form_reader file(limits);
    BOOST_TEST(
        read_form(file, file_part("image", "a.png", "image/png", std::string(1000, 'i')) + end),
        file.error());
}

BOOST_AUTO_TEST_CASE(count_limits) {
    em::form_limits limits;
    limits.max_fields = 2;
    limits.max_files = 1;
    em::form_reader fields(limits);
    BOOST_TEST(
        !read_form(fields, field_part("a", "") + field_part("b", "") + field_part("c", "") + end));
    BOOST_TEST(fields.error() == "too many form fields (more than 2)");
    em::form_reader files(limits);
    BOOST_TEST(!read_form(files, file_part("a", "a", "", "") + file_part("b", "b", "", "") + end));
    BOOST_TEST(files.error() == "too many file parts (more than 1)");
}

BOOST_AUTO_TEST_CASE(reader_errors) {
    em::form_reader reader;
    BOOST_TEST(!reader.feed("x"));
    BOOST_TEST(reader.error().find("before a successful start") != std::string::npos);
    em::form_reader json;
    BOOST_TEST(!json.start("application/json"));
    BOOST_TEST(json.error() ==
               "Content-Type is \"application/json\", expected multipart/form-data");
    BOOST_TEST(!json.feed("{}"));
    em::form_reader truncated;
    BOOST_TEST(truncated.start(content_type));
    BOOST_TEST(truncated.feed(field_part("a", "b")));
    BOOST_TEST(!truncated.finish());
    BOOST_TEST(truncated.error().find("without the final boundary \"--bnd-42--\"") !=
                   std::string::npos,
               truncated.error());
}

BOOST_AUTO_TEST_CASE(twenty_megabyte_upload) {
    // A real PNG header followed by 20 MB of data, fed in 256 KiB pieces built on the fly.
    const std::string png = image(640, 480, em::image_format::png);
    em::form_reader reader;
    BOOST_REQUIRE(reader.start(content_type));
    BOOST_REQUIRE(reader.feed(field_part("prompt", "big") +
                              "--bnd-42\r\nContent-Disposition: form-data; name=\"image\"; "
                              "filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n"));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
    std::uint64_t total = 0;
    std::string piece = png;
    std::uint64_t state = 99;
    while (total < (20u << 20)) {
        piece.resize(256u << 10, '\0');
        for (std::size_t i = total == 0 ? png.size() : 0; i < piece.size(); ++i) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            piece[i] = static_cast<char>(state >> 56);
        }
        EVP_DigestUpdate(ctx, piece.data(), piece.size());
        BOOST_REQUIRE(reader.feed(piece));
        total += piece.size();
    }
    unsigned char digest[32];
    EVP_DigestFinal_ex(ctx, digest, nullptr);
    EVP_MD_CTX_free(ctx);
    BOOST_REQUIRE(reader.feed("\r\n" + end));
    BOOST_TEST_REQUIRE(reader.finish(), reader.error());
    const auto& file = reader.form().files.at(0);
    BOOST_TEST(file.size == total);
    BOOST_TEST(std::equal(file.sha256.begin(), file.sha256.end(), digest));
    BOOST_TEST(file.info.format == em::image_format::png);
    BOOST_TEST(file.info.width == 640u);
    BOOST_TEST(file.info.height == 480u);
    BOOST_TEST(file.head == png.substr(0, 64));
}

BOOST_AUTO_TEST_CASE(files_api_keeps_the_bytes) {
    std::string data = "{\"custom_id\":\"a\"}\n{\"custom_id\":\"b\"}\n";
    std::string body = field_part("purpose", "batch") +
                       file_part("file", "in.jsonl", "application/jsonl", data) + end;
    em::form_limits keep;
    keep.keep_file_bytes = 1024;
    em::form_reader reader(keep);
    BOOST_TEST_REQUIRE(read_form(reader, body, 3), reader.error());
    BOOST_TEST_REQUIRE(reader.form().files.size() == 1u);
    BOOST_TEST_REQUIRE(reader.form().files[0].content != nullptr);
    BOOST_TEST(*reader.form().files[0].content == data);

    // Without the limit only the summary is kept; over it, the part is refused.
    em::form_reader summary;
    BOOST_TEST_REQUIRE(read_form(summary, body));
    BOOST_TEST(summary.form().files[0].content == nullptr);
    em::form_limits small;
    small.keep_file_bytes = 10;
    em::form_reader refused(small);
    BOOST_TEST(!read_form(refused, body));
    BOOST_TEST(refused.error().find("larger than 10 bytes") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
