// The field tables (<openai/request_fields.hpp>) drive the JSON encoder and decoder and the
// multipart form fields: every field, one at a time, is written under its wire name by exactly
// the bodies that carry it, and read back to the same value.
#include "support/request_from_fields.hpp"
#include "codec/form_fields.hpp"

#include <openai/json.hpp>
#include <openai/request_fields.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

namespace {

// A value of the member's type that the field's schema allows.
template <class T>
T sample(const openai::field_info& info);
template <>
std::string sample<std::string>(const openai::field_info&) {
    return "a sample";
}
template <>
std::optional<std::string> sample<std::optional<std::string>>(const openai::field_info&) {
    return "a sample";
}
template <>
std::optional<int> sample<std::optional<int>>(const openai::field_info& info) {
    return info.has_range ? info.max : 7;
}
template <>
std::optional<bool> sample<std::optional<bool>>(const openai::field_info&) {
    return true;
}
template <class T>
requires requires(T t) {
    t->view();
}
T sample(const openai::field_info& info) {
    return typename T::value_type(info.values.empty() ? std::string_view("a sample")
                                                      : info.values.back());
}

// What a JSON value of the sample should look like.
template <class T>
boost::json::value expected_json(const T& v) {
    if constexpr (std::is_same_v<T, std::string>)
        return boost::json::value(v);
    else if constexpr (std::is_same_v<T, std::optional<std::string>>)
        return boost::json::value(*v);
    else if constexpr (std::is_same_v<T, std::optional<int>> ||
                       std::is_same_v<T, std::optional<bool>>)
        return boost::json::value(*v);
    else
        return boost::json::value(v->view());
}

openai::edit_request json_edit() {
    openai::edit_request r;
    r.images = {openai::image_reference::file("file-1")};
    return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(request_fields)

BOOST_AUTO_TEST_CASE(generate_every_field_round_trips_through_json) {
    std::size_t seen = 0;
    openai::for_each_field<openai::generate_request>([&](const auto& f) {
        BOOST_TEST_CONTEXT(f.info.name) {
            ++seen;
            BOOST_TEST(f.info.in(openai::bodies::json)); // every generation field is JSON
            openai::generate_request r;
            r.prompt = "p";
            using T = std::remove_cvref_t<decltype(r.*(f.member))>;
            r.*(f.member) = sample<T>(f.info);
            const auto json = openai::to_json(r);
            BOOST_TEST_REQUIRE(json.contains(f.info.name));
            BOOST_TEST(json.at(f.info.name) == expected_json(r.*(f.member)));
            BOOST_TEST(json.size() == (f.info.name == "prompt" ? 1u : 2u));
            auto back = openai::decode_generate_request(boost::json::serialize(json));
            BOOST_TEST_REQUIRE(back.ok(), back.message);
            BOOST_TEST((back.value.*(f.member) == r.*(f.member)));
        }
    });
    BOOST_TEST(seen == 14u);
}

BOOST_AUTO_TEST_CASE(edit_every_field_round_trips_through_json_and_form) {
    std::size_t json_fields = 0;
    std::size_t form_fields = 0;
    openai::for_each_field<openai::edit_request>([&](const auto& f) {
        BOOST_TEST_CONTEXT(f.info.name) {
            openai::edit_request r = json_edit();
            r.prompt = "p";
            using T = std::remove_cvref_t<decltype(r.*(f.member))>;
            r.*(f.member) = sample<T>(f.info);

            const auto json = openai::to_json(r);
            BOOST_TEST(json.contains(f.info.name) == f.info.in(openai::bodies::json));
            if (f.info.in(openai::bodies::json)) {
                ++json_fields;
                BOOST_TEST(json.at(f.info.name) == expected_json(r.*(f.member)));
                auto back = openai::decode_edit_request(boost::json::serialize(json));
                BOOST_TEST_REQUIRE(back.ok(), back.message);
                BOOST_TEST((back.value.*(f.member) == r.*(f.member)));
            }

            const auto form = openai::codec::form_fields(r);
            bool in_form = false;
            for (const auto& field : form)
                in_form = in_form || field.name == f.info.name;
            BOOST_TEST(in_form == f.info.in(openai::bodies::form));
            if (f.info.in(openai::bodies::form)) {
                ++form_fields;
                auto back = openai::test::edit_request_from_fields(form);
                BOOST_TEST_REQUIRE(back.ok(), back.message);
                BOOST_TEST((back.value.*(f.member) == r.*(f.member)));
            }
        }
    });
    BOOST_TEST(json_fields == 13u); // all but response_format
    BOOST_TEST(form_fields == 13u); // all but moderation
}

BOOST_AUTO_TEST_CASE(variation_every_field_round_trips_through_form) {
    std::size_t seen = 0;
    openai::for_each_field<openai::variation_request>([&](const auto& f) {
        BOOST_TEST_CONTEXT(f.info.name) {
            ++seen;
            openai::variation_request r;
            using T = std::remove_cvref_t<decltype(r.*(f.member))>;
            r.*(f.member) = sample<T>(f.info);
            const auto form = openai::codec::form_fields(r);
            BOOST_TEST_REQUIRE(form.size() == 1u);
            BOOST_TEST(form[0].name == f.info.name);
            auto back = openai::test::variation_request_from_fields(form);
            BOOST_TEST_REQUIRE(back.ok(), back.message);
            BOOST_TEST((back.value.*(f.member) == r.*(f.member)));
        }
    });
    BOOST_TEST(seen == 5u);
}

BOOST_AUTO_TEST_CASE(which_bodies_carry_what) {
    using openai::bodies::batch;
    using openai::bodies::form;
    using openai::bodies::json;
    // moderation: JSON edits only (the multipart edit endpoint answers unknown_parameter).
    BOOST_TEST(openai::find_field<openai::edit_request>("moderation")->bodies == json);
    // response_format: multipart edits only (the JSON body's schema lacks it).
    BOOST_TEST(openai::find_field<openai::edit_request>("response_format")->bodies == form);
    // stream: never in a batch line (a batch makes unary calls).
    BOOST_TEST(!openai::find_field<openai::generate_request>("stream")->in(batch));
    BOOST_TEST(openai::find_field<openai::generate_request>("partial_images")->in(batch));
    BOOST_TEST(openai::find_field<openai::variation_request>("size")->in(form));
    BOOST_TEST(openai::find_field<openai::generate_request>("images") == nullptr);
    BOOST_TEST(openai::find_field<openai::generate_request>("prompt")->required);
    // Types and ranges.
    const auto* n = openai::find_field<openai::generate_request>("n");
    BOOST_TEST((n->type == openai::field_type::integer));
    BOOST_TEST(n->has_range);
    BOOST_TEST(n->min == 1);
    BOOST_TEST(n->max == 10);
    BOOST_TEST(
        (openai::find_field<openai::edit_request>("stream")->type == openai::field_type::boolean));
    // The schema's quality values include the GPT Image 2.5 ones.
    const auto* q = openai::find_field<openai::generate_request>("quality");
    std::set<std::string_view> values(q->values.begin(), q->values.end());
    BOOST_TEST(values.count("xhigh") == 1u);
    BOOST_TEST(values.count("max") == 1u);
    // Field names are unique within each table.
    std::set<std::string_view> names;
    for (const auto& i : openai::field_infos<openai::edit_request>())
        BOOST_TEST(names.insert(i.name).second, i.name);
}

BOOST_AUTO_TEST_CASE(moderation_is_not_a_multipart_field) {
    openai::edit_request r;
    r.images = {openai::image_file::from_bytes("png")};
    r.prompt = "p";
    r.moderation = openai::moderations::low;
    for (const auto& f : openai::codec::form_fields(r))
        BOOST_TEST(f.name != "moderation");
    // A form carrying one anyway is read without it.
    auto back = openai::test::edit_request_from_fields({{"prompt", "p"}, {"moderation", "low"}});
    BOOST_TEST_REQUIRE(back.ok(), back.message);
    BOOST_TEST(!back.value.moderation);
}

BOOST_AUTO_TEST_SUITE_END()
