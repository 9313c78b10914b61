// Tables of accepted and rejected requests per model, with the parameter each rejection names.
#include <openai/validation.hpp>

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace {

namespace m = openai::models;

std::string repeat(std::string_view unit, std::size_t n) {
    std::string s;
    s.reserve(unit.size() * n);
    for (std::size_t i = 0; i < n; ++i)
        s += unit;
    return s;
}

template <class Request>
struct row {
    std::string name;
    std::function<void(Request&)> edit;
    std::string param; // "" = accepted
};

template <class Request>
void run_table(const Request& base, const std::vector<row<Request>>& rows) {
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.name) {
            Request req = base;
            r.edit(req);
            const auto err = openai::validate(req);
            if (r.param.empty()) {
                BOOST_TEST(!err, "unexpected rejection: " << err.param << ": " << err.message);
            } else {
                BOOST_TEST(err.failed(), "expected a rejection naming " << r.param);
                BOOST_TEST((err.code == openai::errc::invalid_request));
                BOOST_TEST(err.param == r.param, err.message);
                BOOST_TEST(!err.message.empty());
            }
        }
    }
}

openai::generate_request gen(std::optional<openai::model> model) {
    openai::generate_request r;
    r.prompt = "A cute baby sea otter";
    r.model = std::move(model);
    return r;
}

using G = openai::generate_request;
using GR = row<G>;

auto set_size(std::string s) {
    return [s](G& r) { r.size = s; };
}

// A file of `size` bytes that takes no disk space.
struct sparse_file {
    std::filesystem::path path;
    explicit sparse_file(std::uintmax_t size, std::string name) {
        path = std::filesystem::temp_directory_path() /
               ("openai_images_validation_" + std::to_string(::getpid()) + "_" + name);
        std::ofstream(path, std::ios::binary).put('x');
        std::filesystem::resize_file(path, size);
    }
    ~sparse_file() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

constexpr std::uintmax_t MiB = 1024 * 1024;

} // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(generic_rules) {
    run_table<G>(gen(m::gpt_image_1),
                 {
                     {"valid", [](G&) {}, ""},
                     {"empty prompt", [](G& r) { r.prompt.clear(); }, "prompt"},
                     {"prompt not UTF-8", [](G& r) { r.prompt = "otter \xff"; }, "prompt"},
                     {"overlong UTF-8", [](G& r) { r.prompt = "\xc0\xaf"; }, "prompt"},
                     {"UTF-16 surrogate", [](G& r) { r.prompt = "\xed\xa0\x80"; }, "prompt"},
                     {"truncated UTF-8", [](G& r) { r.prompt = "ab\xe2\x82"; }, "prompt"},
                     {"empty model", [](G& r) { r.model = ""; }, "model"},
                     {"n 0", [](G& r) { r.n = 0; }, "n"},
                     {"n 1", [](G& r) { r.n = 1; }, ""},
                     {"n 10", [](G& r) { r.n = 10; }, ""},
                     {"n 11", [](G& r) { r.n = 11; }, "n"},
                     {"n -1", [](G& r) { r.n = -1; }, "n"},
                 });
}

BOOST_AUTO_TEST_CASE(dall_e_2_generation) {
    run_table<G>(
        gen(m::dall_e_2),
        {
            {"valid", [](G&) {}, ""},
            {"prompt 1000 code points (2000 bytes)",
             [](G& r) { r.prompt = repeat("\xc3\xa9", 1000); }, ""},
            {"prompt 1001", [](G& r) { r.prompt = repeat("a", 1001); }, "prompt"},
            {"256x256", set_size("256x256"), ""},
            {"512x512", set_size("512x512"), ""},
            {"1024x1024", set_size("1024x1024"), ""},
            {"1792x1024", set_size("1792x1024"), "size"},
            {"1536x1024", set_size("1536x1024"), "size"},
            {"auto", set_size("auto"), "size"},
            {"n 10", [](G& r) { r.n = 10; }, ""},
            {"quality standard", [](G& r) { r.quality = openai::qualities::standard; }, ""},
            {"quality auto", [](G& r) { r.quality = openai::qualities::auto_; }, ""},
            {"quality hd", [](G& r) { r.quality = openai::qualities::hd; }, "quality"},
            {"quality high", [](G& r) { r.quality = openai::qualities::high; }, "quality"},
            {"style", [](G& r) { r.style = openai::styles::vivid; }, "style"},
            {"response_format url", [](G& r) { r.response_format = openai::response_formats::url; },
             ""},
            {"response_format b64_json",
             [](G& r) { r.response_format = openai::response_formats::b64_json; }, ""},
            {"response_format other", [](G& r) { r.response_format = "base64"; },
             "response_format"},
            {"output_format", [](G& r) { r.output_format = openai::output_formats::png; },
             "output_format"},
            {"output_compression", [](G& r) { r.output_compression = 50; }, "output_compression"},
            {"background", [](G& r) { r.background = openai::backgrounds::opaque; }, "background"},
            {"moderation", [](G& r) { r.moderation = openai::moderations::low; }, "moderation"},
            {"stream=false is every model's default", [](G& r) { r.stream = false; }, ""},
            {"stream=true", [](G& r) { r.stream = true; }, "stream"},
            {"partial_images", [](G& r) { r.partial_images = 0; }, "partial_images"},
        });
}

BOOST_AUTO_TEST_CASE(dall_e_3_generation) {
    run_table<G>(
        gen(m::dall_e_3),
        {
            {"valid", [](G&) {}, ""},
            {"n 1", [](G& r) { r.n = 1; }, ""},
            {"n 2", [](G& r) { r.n = 2; }, "n"},
            {"prompt 4000", [](G& r) { r.prompt = repeat("a", 4000); }, ""},
            {"prompt 4001", [](G& r) { r.prompt = repeat("a", 4001); }, "prompt"},
            {"1024x1024", set_size("1024x1024"), ""},
            {"1792x1024", set_size("1792x1024"), ""},
            {"1024x1792", set_size("1024x1792"), ""},
            {"512x512", set_size("512x512"), "size"},
            {"1536x1024", set_size("1536x1024"), "size"},
            {"auto", set_size("auto"), "size"},
            {"quality hd", [](G& r) { r.quality = openai::qualities::hd; }, ""},
            {"quality standard", [](G& r) { r.quality = openai::qualities::standard; }, ""},
            {"quality low", [](G& r) { r.quality = openai::qualities::low; }, "quality"},
            {"style vivid", [](G& r) { r.style = openai::styles::vivid; }, ""},
            {"style natural", [](G& r) { r.style = openai::styles::natural; }, ""},
            {"style other", [](G& r) { r.style = "dramatic"; }, "style"},
            {"response_format b64_json",
             [](G& r) { r.response_format = openai::response_formats::b64_json; }, ""},
            {"stream", [](G& r) { r.stream = true; }, "stream"},
            {"background", [](G& r) { r.background = openai::backgrounds::auto_; }, "background"},
        });
}

BOOST_AUTO_TEST_CASE(gpt_image_generation) {
    for (auto model : {m::gpt_image_1, m::gpt_image_1_mini, m::gpt_image_1_5,
                       m::chatgpt_image_latest, m::gpt_image_2}) {
        BOOST_TEST_CONTEXT(model) {
            run_table<G>(
                gen(model),
                {
                    {"valid", [](G&) {}, ""},
                    {"prompt 32000 (emoji, 128000 bytes)",
                     [](G& r) { r.prompt = repeat("\xf0\x9f\xa6\xa6", 32000); }, ""},
                    {"prompt 32001", [](G& r) { r.prompt = repeat("a", 32001); }, "prompt"},
                    {"1024x1024", set_size("1024x1024"), ""},
                    {"1536x1024", set_size("1536x1024"), ""},
                    {"1024x1536", set_size("1024x1536"), ""},
                    {"auto", set_size("auto"), ""},
                    {"1792x1024", set_size("1792x1024"), model == m::gpt_image_2 ? "" : "size"},
                    {"256x256", set_size("256x256"), model == m::gpt_image_2 ? "" : "size"},
                    {"1536x864", set_size("1536x864"), model == m::gpt_image_2 ? "" : "size"},
                    {"quality low", [](G& r) { r.quality = openai::qualities::low; }, ""},
                    {"quality medium", [](G& r) { r.quality = openai::qualities::medium; }, ""},
                    {"quality high", [](G& r) { r.quality = openai::qualities::high; }, ""},
                    {"quality auto", [](G& r) { r.quality = openai::qualities::auto_; }, ""},
                    {"quality hd", [](G& r) { r.quality = openai::qualities::hd; }, "quality"},
                    {"quality standard", [](G& r) { r.quality = openai::qualities::standard; },
                     "quality"},
                    {"response_format",
                     [](G& r) { r.response_format = openai::response_formats::url; },
                     "response_format"},
                    {"style", [](G& r) { r.style = openai::styles::vivid; }, "style"},
                    {"output_format jpeg",
                     [](G& r) { r.output_format = openai::output_formats::jpeg; }, ""},
                    {"output_format gif", [](G& r) { r.output_format = "gif"; }, "output_format"},
                    {"output_compression 0 jpeg",
                     [](G& r) {
                         r.output_compression = 0;
                         r.output_format = openai::output_formats::jpeg;
                     },
                     ""},
                    {"output_compression 100 webp",
                     [](G& r) {
                         r.output_compression = 100;
                         r.output_format = openai::output_formats::webp;
                     },
                     ""},
                    {"output_compression -1", [](G& r) { r.output_compression = -1; },
                     "output_compression"},
                    {"output_compression 101", [](G& r) { r.output_compression = 101; },
                     "output_compression"},
                    {"output_compression png",
                     [](G& r) {
                         r.output_compression = 50;
                         r.output_format = openai::output_formats::png;
                     },
                     "output_compression"},
                    {"output_compression without a format (png)",
                     [](G& r) { r.output_compression = 50; }, "output_compression"},
                    {"output_compression 100 (the default) with png",
                     [](G& r) {
                         r.output_compression = 100;
                         r.output_format = openai::output_formats::png;
                     },
                     ""},
                    {"output_compression 100 without a format",
                     [](G& r) { r.output_compression = 100; }, ""},
                    {"quality xhigh is 2.5 only",
                     [](G& r) { r.quality = openai::qualities::xhigh; }, "quality"},
                    {"quality max is 2.5 only", [](G& r) { r.quality = openai::qualities::max; },
                     "quality"},
                    {"stream with partial_images 0",
                     [](G& r) {
                         r.stream = true;
                         r.partial_images = 0;
                     },
                     ""},
                    {"partial_images 3", [](G& r) { r.partial_images = 3; }, ""},
                    {"partial_images 4", [](G& r) { r.partial_images = 4; }, "partial_images"},
                    {"partial_images -1", [](G& r) { r.partial_images = -1; }, "partial_images"},
                    {"moderation low", [](G& r) { r.moderation = openai::moderations::low; }, ""},
                    {"moderation high", [](G& r) { r.moderation = "high"; }, "moderation"},
                    {"background other", [](G& r) { r.background = "blurred"; }, "background"},
                    {"transparent", [](G& r) { r.background = openai::backgrounds::transparent; },
                     ""},
                    {"transparent png",
                     [](G& r) {
                         r.background = openai::backgrounds::transparent;
                         r.output_format = openai::output_formats::png;
                     },
                     ""},
                    {"transparent webp",
                     [](G& r) {
                         r.background = openai::backgrounds::transparent;
                         r.output_format = openai::output_formats::webp;
                     },
                     ""},
                    {"transparent jpeg",
                     [](G& r) {
                         r.background = openai::backgrounds::transparent;
                         r.output_format = openai::output_formats::jpeg;
                     },
                     "background"},
                    {"opaque jpeg",
                     [](G& r) {
                         r.background = openai::backgrounds::opaque;
                         r.output_format = openai::output_formats::jpeg;
                     },
                     ""},
                    {"n 10", [](G& r) { r.n = 10; }, ""},
                });
        }
    }
}

BOOST_AUTO_TEST_CASE(gpt_image_2_custom_sizes) {
    const std::vector<GR> rows = {
        {"1536x864", set_size("1536x864"), ""},
        {"16x16", set_size("16x16"), ""},
        {"not a multiple of 16 (width)", set_size("1000x1008"), "size"},
        {"not a multiple of 16 (height)", set_size("1024x1000"), "size"},
        {"8x8", set_size("8x8"), "size"},
        {"3:1 exactly", set_size("3072x1024"), ""},
        {"1:3 exactly", set_size("1024x3072"), ""},
        {"3:1 at the maximum", set_size("3840x1280"), ""},
        {"16x48 (1:3)", set_size("16x48"), ""},
        {"just beyond 3:1", set_size("3088x1024"), "size"},
        {"just beyond 1:3", set_size("1024x3088"), "size"},
        {"16x64 (1:4)", set_size("16x64"), "size"},
        {"3840x2160", set_size("3840x2160"), ""},
        {"2160x3840", set_size("2160x3840"), ""},
        {"2160x2160", set_size("2160x2160"), ""},
        {"2560x1440", set_size("2560x1440"), ""},
        {"3856x2160 (long edge over)", set_size("3856x2160"), "size"},
        {"3840x2176 (short edge over)", set_size("3840x2176"), "size"},
        {"2176x3840 (short edge over)", set_size("2176x3840"), "size"},
        {"2160x3856 (long edge over)", set_size("2160x3856"), "size"},
        {"2176x2176 (square over the short edge)", set_size("2176x2176"), "size"},
        {"4096x4096", set_size("4096x4096"), "size"},
        {"upper-case X", set_size("1536X864"), "size"},
        {"no height", set_size("1536x"), "size"},
        {"no width", set_size("x864"), "size"},
        {"leading zero", set_size("01536x864"), "size"},
        {"leading space", set_size(" 1536x864"), "size"},
        {"trailing space", set_size("1536x864 "), "size"},
        {"sign", set_size("+16x16"), "size"},
        {"zero", set_size("0x0"), "size"},
        {"star", set_size("1536*864"), "size"},
        {"empty", set_size(""), "size"},
        {"huge numbers", set_size("99999999999x16"), "size"},
    };
    run_table<G>(gen(m::gpt_image_2), rows);
    run_table<G>(gen(m::gpt_image_2_2026_04_21), rows);
    // Other GPT image models take the standard sizes only.
    run_table<G>(gen(m::gpt_image_1_5), {{"3840x2160", set_size("3840x2160"), "size"}});
}

BOOST_AUTO_TEST_CASE(gpt_image_2_5_generation) {
    // The 2.5 models, their dated snapshots, and a snapshot of gpt-image-2 for contrast.
    for (std::string model :
         {std::string(m::gpt_image_2_5_flare), std::string(m::gpt_image_2_5_sunburst),
          std::string("gpt-image-2.5-flare-2026-09-08"),
          std::string("gpt-image-2.5-sunburst-2026-10-01")}) {
        BOOST_TEST_CONTEXT(model) {
            run_table<G>(
                gen(openai::model(model)),
                {
                    {"valid", [](G&) {}, ""},
                    {"quality xhigh", [](G& r) { r.quality = openai::qualities::xhigh; }, ""},
                    {"quality max", [](G& r) { r.quality = openai::qualities::max; }, ""},
                    {"quality low", [](G& r) { r.quality = openai::qualities::low; }, ""},
                    {"quality auto", [](G& r) { r.quality = openai::qualities::auto_; }, ""},
                    {"quality hd", [](G& r) { r.quality = openai::qualities::hd; }, "quality"},
                    {"quality ultra", [](G& r) { r.quality = "ultra"; }, "quality"},
                    {"custom size 1536x864", set_size("1536x864"), ""},
                    {"custom size 3840x2160", set_size("3840x2160"), ""},
                    {"custom size not a multiple of 16", set_size("1000x1008"), "size"},
                    {"custom size beyond 3:1", set_size("3088x1024"), "size"},
                    {"custom size too large", set_size("4096x4096"), "size"},
                    {"auto", set_size("auto"), ""},
                    {"transparent png",
                     [](G& r) {
                         r.background = openai::backgrounds::transparent;
                         r.output_format = openai::output_formats::png;
                     },
                     ""},
                    {"transparent jpeg",
                     [](G& r) {
                         r.background = openai::backgrounds::transparent;
                         r.output_format = openai::output_formats::jpeg;
                     },
                     "background"},
                    {"prompt 32001", [](G& r) { r.prompt = repeat("a", 32001); }, "prompt"},
                    {"response_format", [](G& r) { r.response_format = "url"; }, "response_format"},
                    {"style", [](G& r) { r.style = "vivid"; }, "style"},
                    {"streamed with partials",
                     [](G& r) {
                         r.stream = true;
                         r.partial_images = 3;
                     },
                     ""},
                });
        }
    }
    // A gpt-image-2 snapshot of any date takes gpt-image-2's rules: custom sizes, no xhigh.
    run_table<G>(gen(openai::model("gpt-image-2-2027-01-15")),
                 {
                     {"custom size", set_size("1536x864"), ""},
                     {"quality xhigh", [](G& r) { r.quality = "xhigh"; }, "quality"},
                 });
    // Snapshots of the others keep their own rules too.
    run_table<G>(gen(openai::model("gpt-image-1.5-2026-01-01")),
                 {
                     {"custom size", set_size("1536x864"), "size"},
                     {"quality max", [](G& r) { r.quality = "max"; }, "quality"},
                     {"quality high", [](G& r) { r.quality = "high"; }, ""},
                 });
    run_table<G>(gen(openai::model("dall-e-3-2025-01-01")),
                 {{"n 2", [](G& r) { r.n = 2; }, "n"}, {"hd", [](G& r) { r.quality = "hd"; }, ""}});

    const auto err = openai::validate([] {
        auto r = gen(m::gpt_image_1_5);
        r.quality = openai::qualities::xhigh;
        return r;
    }());
    BOOST_TEST(err.message == "quality xhigh is only supported by the GPT Image 2.5 models "
                              "(gpt-image-2.5-flare, gpt-image-2.5-sunburst), not gpt-image-1.5");
}

BOOST_AUTO_TEST_CASE(snapshot_names) {
    struct case_ {
        std::string name, base;
    };
    for (const auto& c : std::vector<case_>{
             {"gpt-image-2.5-flare-2026-09-08", "gpt-image-2.5-flare"},
             {"gpt-image-2-2026-04-21", "gpt-image-2"},
             {"dall-e-2-2024-12-31", "dall-e-2"},
             {"my-model-2026-01-01", "my-model"},
             {"gpt-image-2.5-flare", "gpt-image-2.5-flare"},
             {"gpt-image-2.5-flare-2026-13-01", "gpt-image-2.5-flare-2026-13-01"}, // month 13
             {"gpt-image-2.5-flare-2026-00-01", "gpt-image-2.5-flare-2026-00-01"},
             {"gpt-image-2.5-flare-2026-09-32", "gpt-image-2.5-flare-2026-09-32"},
             {"gpt-image-2.5-flare-2026-9-08", "gpt-image-2.5-flare-2026-9-08"},
             {"gpt-image-2.5-flare_2026-09-08", "gpt-image-2.5-flare_2026-09-08"},
             {"gpt-image-2.5-flare-2026-09-0x", "gpt-image-2.5-flare-2026-09-0x"},
             {"-2026-09-08", "-2026-09-08"}, // no base
             {"", ""},
         }) {
        BOOST_TEST(openai::base_model(c.name) == c.base, c.name);
    }
    BOOST_TEST((openai::family_of("gpt-image-2.5-sunburst-2026-09-08") ==
                openai::model_family::gpt_image));
    BOOST_TEST((openai::family_of("dall-e-3-2025-01-01") == openai::model_family::dall_e_3));
    BOOST_TEST((openai::family_of("gpt-image-3-2026-01-01") == openai::model_family::unknown));
    BOOST_TEST(openai::accepts_extended_quality(m::gpt_image_2_5_flare));
    BOOST_TEST(openai::accepts_extended_quality("gpt-image-2.5-sunburst-2026-09-08"));
    BOOST_TEST(!openai::accepts_extended_quality(m::gpt_image_2));
    BOOST_TEST(openai::accepts_custom_sizes("gpt-image-2.5-flare-2026-09-08"));
    BOOST_TEST(!openai::accepts_custom_sizes("gpt-image-1-mini-2026-01-01"));
}

BOOST_AUTO_TEST_CASE(custom_size_helpers) {
    BOOST_TEST((openai::parse_size("1536x864") == openai::image_dimensions{1536, 864}));
    BOOST_TEST(!openai::parse_size("auto"));
    BOOST_TEST(!openai::parse_size("1536x864x2"));
    BOOST_TEST(openai::check_custom_size({3840, 2160}).empty());
    BOOST_TEST(openai::check_custom_size({3840, 2176}) ==
               "the maximum resolution is 3840x2160 (long edge 3840, short edge 2160)");
    BOOST_TEST(openai::check_custom_size({1000, 1024}) ==
               "width and height must both be multiples of 16");
    BOOST_TEST(openai::check_custom_size({3088, 1024}) ==
               "the aspect ratio must be between 1:3 and 3:1");
    BOOST_TEST(*openai::utf8_length("\xc3\xa9t\xc3\xa9") == 3u);
    BOOST_TEST(*openai::utf8_length("") == 0u);
    BOOST_TEST(!openai::utf8_length("\xf4\x90\x80\x80")); // past U+10FFFF
    BOOST_TEST((openai::family_of("gpt-image-2") == openai::model_family::gpt_image));
    BOOST_TEST((openai::family_of("gpt-image-3") == openai::model_family::unknown));
    BOOST_TEST(openai::accepts_custom_sizes("gpt-image-2-2026-04-21"));
    BOOST_TEST(!openai::accepts_custom_sizes("gpt-image-1.5"));

    openai::generate_request r = gen(m::gpt_image_2);
    r.size = "3840x2176";
    const auto err = openai::validate(r);
    BOOST_TEST(err.message == "size 3840x2176 is not supported by gpt-image-2: the maximum "
                              "resolution is 3840x2160 (long edge 3840, short edge 2160)");
}

BOOST_AUTO_TEST_CASE(unknown_model_skips_model_rules) {
    run_table<G>(gen(openai::model("my-image-model")),
                 {
                     {"valid", [](G&) {}, ""},
                     {"any size", set_size("whatever"), ""},
                     {"any quality", [](G& r) { r.quality = "x"; }, ""},
                     {"style and stream together",
                      [](G& r) {
                          r.style = "vivid";
                          r.stream = true;
                          r.response_format = "url";
                      },
                      ""},
                     {"long prompt", [](G& r) { r.prompt = repeat("a", 100000); }, ""},
                     {"n 11", [](G& r) { r.n = 11; }, "n"},
                     {"output_compression 101", [](G& r) { r.output_compression = 101; },
                      "output_compression"},
                     {"partial_images 4", [](G& r) { r.partial_images = 4; }, "partial_images"},
                     {"transparent jpeg",
                      [](G& r) {
                          r.background = "transparent";
                          r.output_format = "jpeg";
                      },
                      "background"},
                     {"empty prompt", [](G& r) { r.prompt.clear(); }, "prompt"},
                 });
}

BOOST_AUTO_TEST_CASE(unset_model_follows_the_api_default) {
    // Without GPT-only parameters the API uses dall-e-2.
    run_table<G>(gen(std::nullopt),
                 {
                     {"valid", [](G&) {}, ""},
                     {"dall-e-2 size", set_size("512x512"), ""},
                     {"GPT size", set_size("1536x1024"), "size"},
                     {"prompt 1001", [](G& r) { r.prompt = repeat("a", 1001); }, "prompt"},
                     {"style", [](G& r) { r.style = "vivid"; }, "style"},
                     {"response_format", [](G& r) { r.response_format = "url"; }, ""},
                     {"quality hd", [](G& r) { r.quality = "hd"; }, "quality"},
                 });
    // A GPT-only parameter switches to the rules every GPT image model shares.
    G gpt = gen(std::nullopt);
    gpt.output_format = openai::output_formats::png;
    run_table<G>(
        gpt, {
                 {"valid", [](G&) {}, ""},
                 {"GPT size", set_size("1536x1024"), ""},
                 {"custom size needs a named gpt-image-2", set_size("1536x864"), "size"},
                 {"prompt 1001", [](G& r) { r.prompt = repeat("a", 1001); }, ""},
                 {"prompt 32001", [](G& r) { r.prompt = repeat("a", 32001); }, "prompt"},
                 {"response_format", [](G& r) { r.response_format = "url"; }, "response_format"},
                 {"style", [](G& r) { r.style = "vivid"; }, "style"},
                 {"quality high", [](G& r) { r.quality = "high"; }, ""},
             });
    G streamed = gen(std::nullopt);
    streamed.stream = true;
    run_table<G>(streamed, {{"GPT size", set_size("1024x1536"), ""}});
}

// ---------------------------------------------------------------------------------------------

using E = openai::edit_request;
using ER = row<E>;

namespace {

E edit_files(std::optional<openai::model> model, std::size_t count = 1) {
    E r;
    r.prompt = "Add a watercolor effect";
    r.model = std::move(model);
    for (std::size_t i = 0; i < count; ++i)
        r.images.push_back(openai::image_file::from_bytes("png bytes"));
    return r;
}

E edit_refs(std::optional<openai::model> model, std::size_t count = 1) {
    E r;
    r.prompt = "Add a watercolor effect";
    r.model = std::move(model);
    for (std::size_t i = 0; i < count; ++i)
        r.images.push_back(openai::image_reference::url("https://example.com/a.png"));
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(edit_inputs) {
    run_table<E>(
        edit_files(std::nullopt),
        {
            {"valid", [](E&) {}, ""},
            {"no images", [](E& r) { r.images.clear(); }, "image"},
            {"16 files", [](E& r) { r.images.assign(16, openai::image_file::from_bytes("x")); },
             ""},
            {"17 files", [](E& r) { r.images.assign(17, openai::image_file::from_bytes("x")); },
             "image"},
            {"16 references",
             [](E& r) { r.images.assign(16, openai::image_reference::file("file-1")); }, ""},
            {"17 references",
             [](E& r) { r.images.assign(17, openai::image_reference::file("file-1")); }, "images"},
            {"mixed", [](E& r) { r.images.push_back(openai::image_reference::file("file-1")); },
             "image"},
            {"reference mask with files", [](E& r) { r.mask = openai::image_reference::file("f"); },
             "mask"},
            {"file mask with files", [](E& r) { r.mask = openai::image_file::from_bytes("m"); },
             ""},
            {"file mask with references",
             [](E& r) {
                 r.images = {openai::image_reference::url("https://x")};
                 r.mask = openai::image_file::from_bytes("m");
             },
             "mask"},
            {"empty image_file", [](E& r) { r.images.push_back(openai::image_file()); }, "image"},
            {"empty reference",
             [](E& r) {
                 r.images = {openai::image_reference::url("https://x"),
                             openai::image_reference::url("")};
             },
             "images"},
            {"empty mask reference",
             [](E& r) {
                 r.images = {openai::image_reference::url("https://x")};
                 r.mask = openai::image_reference::file("");
             },
             "mask"},
            {"missing file is checked when sent",
             [](E& r) { r.images = {openai::image_file::from_path("/no/such/file.png")}; }, ""},
            {"empty prompt", [](E& r) { r.prompt.clear(); }, "prompt"},
            {"dall-e-3", [](E& r) { r.model = m::dall_e_3; }, "model"},
            {"n 0", [](E& r) { r.n = 0; }, "n"},
            {"output_compression 101", [](E& r) { r.output_compression = 101; },
             "output_compression"},
            {"partial_images 4", [](E& r) { r.partial_images = 4; }, "partial_images"},
            {"transparent jpeg",
             [](E& r) {
                 r.background = openai::backgrounds::transparent;
                 r.output_format = openai::output_formats::jpeg;
             },
             "background"},
        });
}

BOOST_AUTO_TEST_CASE(dall_e_2_edits) {
    run_table<E>(
        edit_files(m::dall_e_2),
        {
            {"valid", [](E&) {}, ""},
            {"two images", [](E& r) { r.images.push_back(openai::image_file::from_bytes("x")); },
             "image"},
            {"references", [](E& r) { r.images = {openai::image_reference::url("https://x")}; },
             "images"},
            {"prompt 1000", [](E& r) { r.prompt = repeat("a", 1000); }, ""},
            {"prompt 1001", [](E& r) { r.prompt = repeat("a", 1001); }, "prompt"},
            {"256x256", [](E& r) { r.size = "256x256"; }, ""},
            {"1536x1024", [](E& r) { r.size = "1536x1024"; }, "size"},
            {"quality standard", [](E& r) { r.quality = "standard"; }, ""},
            {"quality high", [](E& r) { r.quality = "high"; }, "quality"},
            {"response_format b64_json", [](E& r) { r.response_format = "b64_json"; }, ""},
            {"output_format", [](E& r) { r.output_format = "png"; }, "output_format"},
            {"output_compression", [](E& r) { r.output_compression = 90; }, "output_compression"},
            {"background", [](E& r) { r.background = "opaque"; }, "background"},
            {"input_fidelity", [](E& r) { r.input_fidelity = "high"; }, "input_fidelity"},
            {"moderation", [](E& r) { r.moderation = "low"; }, "moderation"},
            {"stream", [](E& r) { r.stream = true; }, "stream"},
            {"stream=false", [](E& r) { r.stream = false; }, ""},
            {"partial_images", [](E& r) { r.partial_images = 1; }, "partial_images"},
            {"n 10", [](E& r) { r.n = 10; }, ""},
        });
}

BOOST_AUTO_TEST_CASE(gpt_image_edits) {
    // Unset model: the edit endpoint's default, gpt-image-1.5.
    run_table<E>(
        edit_files(std::nullopt, 4),
        {
            {"valid", [](E&) {}, ""},
            {"prompt 32000", [](E& r) { r.prompt = repeat("a", 32000); }, ""},
            {"prompt 32001", [](E& r) { r.prompt = repeat("a", 32001); }, "prompt"},
            {"response_format", [](E& r) { r.response_format = "url"; }, "response_format"},
            {"input_fidelity high", [](E& r) { r.input_fidelity = "high"; }, ""},
            {"input_fidelity other", [](E& r) { r.input_fidelity = "max"; }, "input_fidelity"},
            {"1536x864 is gpt-image-2 only", [](E& r) { r.size = "1536x864"; }, "size"},
            {"1024x1536", [](E& r) { r.size = "1024x1536"; }, ""},
            {"quality standard", [](E& r) { r.quality = "standard"; }, "quality"},
            {"quality medium", [](E& r) { r.quality = "medium"; }, ""},
            {"moderation is not a multipart edit parameter", [](E& r) { r.moderation = "low"; },
             "moderation"},
            {"output_format webp", [](E& r) { r.output_format = "webp"; }, ""},
            {"stream with partials",
             [](E& r) {
                 r.stream = true;
                 r.partial_images = 2;
             },
             ""},
        });
    run_table<E>(edit_files(m::gpt_image_1_mini),
                 {{"input_fidelity", [](E& r) { r.input_fidelity = "low"; }, "input_fidelity"}});
    run_table<E>(
        edit_refs(m::gpt_image_2, 3),
        {
            {"valid", [](E&) {}, ""},
            {"custom size", [](E& r) { r.size = "1536x864"; }, ""},
            {"bad custom size", [](E& r) { r.size = "1536x860"; }, "size"},
            {"reference mask", [](E& r) { r.mask = openai::image_reference::file("f"); }, ""},
            {"moderation in a JSON edit", [](E& r) { r.moderation = "low"; }, ""},
        });
    run_table<E>(edit_refs(openai::model("future-model"), 2),
                 {{"unknown model", [](E& r) { r.size = "anything"; }, ""},
                  {"response_format in a JSON edit", [](E& r) { r.response_format = "url"; },
                   "response_format"}});
}

BOOST_AUTO_TEST_CASE(gpt_image_2_5_edits) {
    run_table<E>(edit_files(m::gpt_image_2_5_sunburst, 2),
                 {
                     {"valid", [](E&) {}, ""},
                     {"quality max", [](E& r) { r.quality = "max"; }, ""},
                     {"custom size", [](E& r) { r.size = "2048x1152"; }, ""},
                     {"input_fidelity", [](E& r) { r.input_fidelity = "high"; }, ""},
                     {"moderation (multipart)", [](E& r) { r.moderation = "low"; }, "moderation"},
                 });
    run_table<E>(edit_refs(openai::model("gpt-image-2.5-flare-2026-09-08"), 2),
                 {
                     {"quality xhigh", [](E& r) { r.quality = "xhigh"; }, ""},
                     {"moderation (JSON)", [](E& r) { r.moderation = "low"; }, ""},
                     {"quality standard", [](E& r) { r.quality = "standard"; }, "quality"},
                 });
    run_table<E>(edit_files(m::gpt_image_2),
                 {{"quality xhigh", [](E& r) { r.quality = "xhigh"; }, "quality"}});
}

BOOST_AUTO_TEST_CASE(file_size_limits) {
    // In memory.
    run_table<E>(
        edit_files(m::dall_e_2),
        {
            {"just under 4 MB",
             [](E& r) {
                 r.images = {openai::image_file::from_bytes(std::string(4 * MiB - 1, 'x'))};
             },
             ""},
            {"4 MB",
             [](E& r) { r.images = {openai::image_file::from_bytes(std::string(4 * MiB, 'x'))}; },
             "image"},
            {"4 MB mask",
             [](E& r) { r.mask = openai::image_file::from_bytes(std::string(4 * MiB, 'x')); },
             "mask"},
        });
    // On disk (sparse files: a stat, no read).
    const sparse_file big(50 * MiB, "big.png");
    const sparse_file under(50 * MiB - 1, "under.png");
    const sparse_file mask(4 * MiB, "mask.png");
    run_table<E>(
        edit_files(m::gpt_image_1),
        {
            {"50 MB", [&](E& r) { r.images = {openai::image_file::from_path(big.path)}; }, "image"},
            {"just under 50 MB",
             [&](E& r) { r.images = {openai::image_file::from_path(under.path)}; }, ""},
            {"4 MB mask", [&](E& r) { r.mask = openai::image_file::from_path(mask.path); }, "mask"},
        });
    run_table<E>(
        edit_files(m::dall_e_2),
        {{"dall-e-2 under 50 MB is still over 4 MB",
          [&](E& r) { r.images = {openai::image_file::from_path(under.path)}; }, "image"}});
}

// ---------------------------------------------------------------------------------------------

using V = openai::variation_request;
using VR = row<V>;

BOOST_AUTO_TEST_CASE(variations) {
    V base;
    base.image = openai::image_file::from_bytes("png");
    run_table<V>(
        base,
        {
            {"valid", [](V&) {}, ""},
            {"dall-e-2", [](V& r) { r.model = m::dall_e_2; }, ""},
            {"no image", [](V& r) { r.image = openai::image_file(); }, "image"},
            {"4 MB",
             [](V& r) { r.image = openai::image_file::from_bytes(std::string(4 * MiB, 'x')); },
             "image"},
            {"dall-e-3", [](V& r) { r.model = m::dall_e_3; }, "model"},
            {"gpt-image-1", [](V& r) { r.model = m::gpt_image_1; }, "model"},
            {"empty model", [](V& r) { r.model = ""; }, "model"},
            {"unknown model, any size",
             [](V& r) {
                 r.model = "future";
                 r.size = "9x9";
             },
             ""},
            {"1024x1024", [](V& r) { r.size = "1024x1024"; }, ""},
            {"256x256", [](V& r) { r.size = "256x256"; }, ""},
            {"1536x1024", [](V& r) { r.size = "1536x1024"; }, "size"},
            {"n 10", [](V& r) { r.n = 10; }, ""},
            {"n 11", [](V& r) { r.n = 11; }, "n"},
            {"response_format b64_json", [](V& r) { r.response_format = "b64_json"; }, ""},
            {"response_format other", [](V& r) { r.response_format = "png"; }, "response_format"},
        });
}

BOOST_AUTO_TEST_SUITE_END()
