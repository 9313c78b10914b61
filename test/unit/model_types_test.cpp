// open_string, the named constants, and the request helper types.
#include <openai/events.hpp>
#include <openai/open_string.hpp>
#include <openai/requests.hpp>

#include <boost/test/unit_test.hpp>

#include <map>
#include <sstream>
#include <type_traits>
#include <unordered_set>

// A constant of one enumeration must not turn into another by accident.
static_assert(
    std::is_convertible_v<openai::open_string_constant<openai::model_tag>, openai::model>);
static_assert(
    !std::is_convertible_v<openai::open_string_constant<openai::model_tag>, openai::image_size>);
static_assert(!std::is_convertible_v<openai::model, openai::image_size>);
static_assert(openai::models::gpt_image_2.view() == "gpt-image-2");

BOOST_AUTO_TEST_SUITE(model_types)

BOOST_AUTO_TEST_CASE(open_string_basics) {
    openai::model m = "dall-e-3";
    BOOST_TEST(m == openai::models::dall_e_3);
    BOOST_TEST(openai::models::dall_e_3 == m);
    BOOST_TEST(m == "dall-e-3");
    BOOST_TEST("dall-e-3" == m);
    BOOST_TEST(m != "dall-e-2");
    BOOST_TEST(m == std::string("dall-e-3"));
    BOOST_TEST(m == std::string_view("dall-e-3"));
    BOOST_TEST(m.str() == "dall-e-3");
    BOOST_TEST(m.view() == "dall-e-3");
    BOOST_TEST(!m.empty());
    BOOST_TEST(openai::model().empty());

    // Unknown values are kept as they are.
    openai::image_quality q = std::string("ultra-hd");
    BOOST_TEST(q.str() == "ultra-hd");

    openai::model a = "a", b = "b";
    BOOST_TEST((a < b));
    std::map<openai::model, int> ordered{{b, 2}, {a, 1}};
    BOOST_TEST(ordered.begin()->second == 1);
    std::unordered_set<openai::model> set{openai::models::gpt_image_1, "gpt-image-1"};
    BOOST_TEST(set.size() == 1u);

    std::ostringstream os;
    os << m << ' ' << openai::sizes::auto_;
    BOOST_TEST(os.str() == "dall-e-3 auto");
}

BOOST_AUTO_TEST_CASE(constants_have_the_wire_values) {
    BOOST_TEST(openai::models::gpt_image_1.view() == "gpt-image-1");
    BOOST_TEST(openai::models::gpt_image_1_mini.view() == "gpt-image-1-mini");
    BOOST_TEST(openai::models::gpt_image_1_5.view() == "gpt-image-1.5");
    BOOST_TEST(openai::models::gpt_image_2_2026_04_21.view() == "gpt-image-2-2026-04-21");
    BOOST_TEST(openai::models::chatgpt_image_latest.view() == "chatgpt-image-latest");
    BOOST_TEST(openai::models::dall_e_2.view() == "dall-e-2");
    BOOST_TEST(openai::sizes::s1792x1024.view() == "1792x1024");
    BOOST_TEST(openai::sizes::auto_.view() == "auto");
    BOOST_TEST(openai::qualities::hd.view() == "hd");
    BOOST_TEST(openai::backgrounds::transparent.view() == "transparent");
    BOOST_TEST(openai::output_formats::jpeg.view() == "jpeg");
    BOOST_TEST(openai::moderations::low.view() == "low");
    BOOST_TEST(openai::styles::vivid.view() == "vivid");
    BOOST_TEST(openai::response_formats::b64_json.view() == "b64_json");
    BOOST_TEST(openai::input_fidelities::high.view() == "high");
    BOOST_TEST(openai::custom_size(1536, 864) == "1536x864");
}

BOOST_AUTO_TEST_CASE(designated_initialisers_read_well) {
    openai::generate_request r{.prompt = "otter",
                               .model = openai::models::gpt_image_1,
                               .n = 1,
                               .size = openai::sizes::s1024x1024};
    BOOST_TEST(*r.model == "gpt-image-1");
    BOOST_TEST(*r.size == openai::sizes::s1024x1024);
}

BOOST_AUTO_TEST_CASE(image_file_from_path_does_no_io) {
    auto f = openai::image_file::from_path("/no/such/dir/otter.png");
    BOOST_TEST(f.is_path());
    BOOST_TEST(!f.is_memory());
    BOOST_TEST(!f.empty());
    BOOST_TEST(f.filename() == "otter.png");
    BOOST_TEST(f.path() == "/no/such/dir/otter.png");
    BOOST_TEST(f.bytes() == nullptr);
    BOOST_TEST(!f.content_type());
    f.with_content_type("image/png").with_filename("renamed.png");
    BOOST_TEST(*f.content_type() == "image/png");
    BOOST_TEST(f.filename() == "renamed.png");
}

BOOST_AUTO_TEST_CASE(image_file_bytes_are_shared_by_copies) {
    auto f = openai::image_file::from_bytes(std::string(1000, 'x'), "a.webp")
                 .with_content_type("image/webp");
    BOOST_TEST(f.is_memory());
    BOOST_TEST(f.filename() == "a.webp");
    BOOST_TEST(*f.content_type() == "image/webp");
    const auto copy = f;
    BOOST_TEST(copy.bytes().get() == f.bytes().get());
    BOOST_TEST(copy.bytes()->size() == 1000u);
    BOOST_TEST(openai::image_file::from_bytes("x").filename() == "image.png");
    BOOST_TEST(openai::image_file().empty());
}

BOOST_AUTO_TEST_CASE(edit_body_kind) {
    openai::edit_request r;
    BOOST_TEST(!r.uses_json_body()); // no inputs at all
    r.images.push_back(openai::image_reference::url("https://example.com/a.png"));
    BOOST_TEST(r.uses_json_body());
    r.mask = openai::image_reference::file("file-1");
    BOOST_TEST(r.uses_json_body());
    r.images.push_back(openai::image_file::from_bytes("png"));
    BOOST_TEST(!r.uses_json_body());
    r.images.clear();
    BOOST_TEST(r.uses_json_body()); // only a reference mask: still JSON (validation refuses it)

    auto ref = openai::image_reference::url("data:image/png;base64,AAAA");
    BOOST_TEST(ref.is_url());
    BOOST_TEST(!ref.is_file_id());
    BOOST_TEST((ref.which() == openai::image_reference::kind::image_url));
    BOOST_TEST(openai::image_reference::file("file-x").value() == "file-x");
}

BOOST_AUTO_TEST_SUITE_END()
