// Spec conformance helper, built on the library.
//
//   spec_tool corpus                  prints, one JSON object per line, what our encoders produce
//                                     for a broad set of valid requests (every parameter, every
//                                     model, JSON and multipart edits), responses, events and
//                                     errors; validate_encodings.py checks each against the spec.
//   spec_tool check-examples FILE     decodes every example of the spec (as extracted by
//                                     extract_examples.py) and checks that it validates and
//                                     encodes back to the same JSON or form fields.
//
// Exit status 0 when everything passed; the failures are printed.
#include "codec/form_fields.hpp"
#include "support/request_from_fields.hpp"

#include <openai/json.hpp>
#include <openai/validation.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace m = openai::models;

int failures = 0;

void fail(const std::string& id, const std::string& why) {
    ++failures;
    std::cout << "FAIL " << id << ": " << why << "\n";
}

// ---------------------------------------------------------------------------------------------
// corpus

void emit(const std::string& name, const std::string& schema, boost::json::object body,
          const char* expect_schema_error = nullptr) {
    boost::json::object line{{"name", name}, {"schema", schema}, {"body", std::move(body)}};
    if (expect_schema_error != nullptr)
        line["expect_schema_error"] = expect_schema_error;
    std::cout << boost::json::serialize(line) << "\n";
}

template <class Request>
bool valid(const std::string& name, const Request& r) {
    if (auto err = openai::validate(r)) {
        fail(name, "corpus request is not valid: " + err.param + ": " + err.message);
        return false;
    }
    return true;
}

void emit_generate(const std::string& name, const openai::generate_request& r) {
    if (valid(name, r))
        emit(name, "CreateImageRequest", openai::to_json(r));
}

void emit_edit_json(const std::string& name, const openai::edit_request& r,
                    const char* expect_schema_error = nullptr) {
    if (valid(name, r))
        emit(name, "EditImageBodyJsonParam", openai::to_json(r), expect_schema_error);
}

template <class Request>
void emit_form(const std::string& name, const std::string& schema, const Request& r,
               boost::json::array files) {
    if (!valid(name, r))
        return;
    boost::json::array fields;
    for (const auto& f : openai::codec::form_fields(r))
        fields.push_back(
            boost::json::array{boost::json::string(f.name), boost::json::string(f.value)});
    boost::json::object line{{"name", name},
                             {"schema", schema},
                             {"form", std::move(fields)},
                             {"files", std::move(files)}};
    std::cout << boost::json::serialize(line) << "\n";
}

openai::generate_request gpt_full(openai::model model) {
    openai::generate_request r;
    r.prompt = "A cute baby sea otter wearing a beret";
    r.model = std::move(model);
    r.n = 2;
    r.quality = openai::qualities::high;
    r.output_format = openai::output_formats::webp;
    r.output_compression = 80;
    r.stream = true;
    r.partial_images = 3;
    r.size = openai::sizes::s1536x1024;
    r.moderation = openai::moderations::low;
    r.background = openai::backgrounds::transparent;
    r.user = "user-1234";
    return r;
}

int corpus() {
    // ---- generations
    emit_generate("generate minimal (default model)", {.prompt = "An otter"});
    emit_generate("generate dall-e-2 every parameter",
                  {.prompt = "An otter",
                   .model = m::dall_e_2,
                   .n = 10,
                   .quality = openai::qualities::standard,
                   .response_format = openai::response_formats::url,
                   .size = openai::sizes::s512x512,
                   .user = "user-1"});
    emit_generate("generate dall-e-2 b64", {.prompt = "An otter",
                                            .model = m::dall_e_2,
                                            .response_format = openai::response_formats::b64_json,
                                            .size = openai::sizes::s256x256});
    emit_generate("generate dall-e-3 every parameter",
                  {.prompt = "An otter",
                   .model = m::dall_e_3,
                   .n = 1,
                   .quality = openai::qualities::hd,
                   .response_format = openai::response_formats::b64_json,
                   .size = openai::sizes::s1792x1024,
                   .style = openai::styles::natural,
                   .user = "user-1"});
    emit_generate("generate dall-e-3 standard vivid", {.prompt = "An otter",
                                                       .model = m::dall_e_3,
                                                       .quality = openai::qualities::standard,
                                                       .size = openai::sizes::s1024x1792,
                                                       .style = openai::styles::vivid});
    for (auto model : {m::gpt_image_1, m::gpt_image_1_mini, m::gpt_image_1_5, m::gpt_image_2,
                       m::gpt_image_2_2026_04_21})
        emit_generate("generate " + std::string(model.view()) + " every parameter",
                      gpt_full(model));
    emit_generate("generate gpt-image-1 other values",
                  {.prompt = "An otter",
                   .model = m::gpt_image_1,
                   .quality = openai::qualities::low,
                   .output_format = openai::output_formats::jpeg,
                   .output_compression = 0,
                   .stream = false,
                   .partial_images = 0,
                   .size = openai::sizes::auto_,
                   .moderation = openai::moderations::auto_,
                   .background = openai::backgrounds::opaque});
    emit_generate("generate gpt-image-1.5 medium png auto",
                  {.prompt = "An otter",
                   .model = m::gpt_image_1_5,
                   .quality = openai::qualities::medium,
                   .output_format = openai::output_formats::png,
                   .size = openai::sizes::s1024x1536,
                   .background = openai::backgrounds::auto_});
    emit_generate("generate gpt-image-2 custom size",
                  {.prompt = "A lighthouse", .model = m::gpt_image_2, .size = "1536x864"});
    emit_generate("generate gpt-image-2 maximum size", {.prompt = "A lighthouse",
                                                        .model = m::gpt_image_2_2026_04_21,
                                                        .quality = openai::qualities::auto_,
                                                        .size = "2160x3840"});
    // GPT Image 2.5 (newer than the spec): every parameter, custom sizes, dated snapshots. The
    // schema's quality enum predates xhigh and max, so those must fail there, and only there.
    for (std::string model :
         {std::string(m::gpt_image_2_5_flare.view()), std::string(m::gpt_image_2_5_sunburst.view()),
          std::string("gpt-image-2.5-flare-2026-09-08")}) {
        emit_generate("generate " + model + " every parameter", gpt_full(model));
        auto wide = gpt_full(model);
        wide.size = "2048x1152";
        emit_generate("generate " + model + " custom size", wide);
        for (auto q : {openai::qualities::xhigh, openai::qualities::max}) {
            auto r = gpt_full(model);
            r.quality = q;
            if (valid("generate " + model + " quality " + std::string(q.view()), r))
                emit("generate " + model + " quality " + std::string(q.view()) +
                         " (newer than the spec)",
                     "CreateImageRequest", openai::to_json(r), "quality");
        }
    }
    emit_generate("generate default GPT model",
                  {.prompt = "An otter", .output_format = openai::output_formats::png});
    emit_generate("generate unknown model", {.prompt = "An otter", .model = "my-image-model"});

    // ---- JSON edits
    {
        openai::edit_request r;
        r.images = {openai::image_reference::url("https://example.com/source-image.png")};
        r.mask = openai::image_reference::file("file-mask123");
        r.prompt = "Add a watercolor effect";
        r.model = m::gpt_image_1_5;
        r.n = 2;
        r.size = openai::sizes::s1024x1024;
        r.quality = openai::qualities::high;
        r.output_format = openai::output_formats::webp;
        r.output_compression = 90;
        r.background = openai::backgrounds::transparent;
        r.input_fidelity = openai::input_fidelities::high;
        r.moderation = openai::moderations::auto_;
        r.stream = true;
        r.partial_images = 2;
        r.user = "user-1";
        emit_edit_json("edit json gpt-image-1.5 every parameter", r);
    }
    {
        openai::edit_request r;
        for (int i = 0; i < 8; ++i)
            r.images.push_back(openai::image_reference::file("file-" + std::to_string(i)));
        for (int i = 0; i < 8; ++i)
            r.images.push_back(openai::image_reference::url("data:image/png;base64,iVBORw0KGgo="));
        r.mask = openai::image_reference::url("https://example.com/mask.png");
        r.prompt = "Combine these";
        r.model = m::gpt_image_2;
        r.n = 3;
        r.size = openai::sizes::auto_;
        r.quality = openai::qualities::low;
        r.output_format = openai::output_formats::jpeg;
        r.output_compression = 50;
        r.background = openai::backgrounds::opaque;
        r.input_fidelity = openai::input_fidelities::low;
        r.moderation = openai::moderations::low;
        r.stream = false;
        r.partial_images = 0;
        emit_edit_json("edit json gpt-image-2 sixteen references", r);
    }
    for (auto model : {m::gpt_image_1, m::gpt_image_1_mini, m::chatgpt_image_latest}) {
        openai::edit_request r;
        r.images = {openai::image_reference::file("file-abc123")};
        r.prompt = "Make it snow";
        r.model = model;
        r.quality = openai::qualities::medium;
        r.size = openai::sizes::s1536x1024;
        emit_edit_json("edit json " + std::string(model.view()), r);
    }
    {
        openai::edit_request r;
        r.images = {openai::image_reference::file("file-abc123")};
        r.prompt = "Make it wide";
        r.model = m::gpt_image_2;
        r.size = "1536x864";
        // Our rules accept gpt-image-2 custom sizes for every edit, as the size description says;
        // the JSON body schema's size enum does not list them. Kept here so the gap stays visible.
        emit_edit_json("edit json gpt-image-2 custom size (schema gap)", r, "size");
    }

    // ---- multipart edits and variations (text fields + which file parts)
    {
        openai::edit_request r;
        r.images = {openai::image_file::from_bytes("png")};
        r.mask = openai::image_file::from_bytes("png");
        r.prompt = "Add a hat";
        r.model = m::dall_e_2;
        r.n = 2;
        r.size = openai::sizes::s512x512;
        r.quality = openai::qualities::standard;
        r.response_format = openai::response_formats::b64_json;
        r.user = "user-1";
        emit_form("edit multipart dall-e-2 every parameter", "CreateImageEditRequest", r,
                  {"image[]", "mask"});
    }
    {
        openai::edit_request r;
        for (int i = 0; i < 4; ++i)
            r.images.push_back(openai::image_file::from_bytes("png"));
        r.prompt = "Create a lovely gift basket with these four items in it";
        r.model = m::gpt_image_1_5;
        r.n = 1;
        r.size = openai::sizes::s1024x1024;
        r.quality = openai::qualities::high;
        r.output_format = openai::output_formats::png;
        r.output_compression = 100;
        r.background = openai::backgrounds::transparent;
        r.input_fidelity = openai::input_fidelities::high;
        r.stream = true;
        r.partial_images = 1;
        r.user = "user-1";
        emit_form("edit multipart gpt-image-1.5 every parameter", "CreateImageEditRequest", r,
                  {"image[]", "image[]", "image[]", "image[]"});
    }
    {
        openai::edit_request r;
        r.images = {openai::image_file::from_bytes("png")};
        r.prompt = "Make it wide";
        r.model = m::gpt_image_2;
        r.size = "1536x864";
        r.quality = openai::qualities::low;
        emit_form("edit multipart gpt-image-2 custom size", "CreateImageEditRequest", r,
                  {"image[]"});
    }
    {
        openai::variation_request r;
        r.image = openai::image_file::from_bytes("png");
        r.model = m::dall_e_2;
        r.n = 2;
        r.response_format = openai::response_formats::url;
        r.size = openai::sizes::s256x256;
        r.user = "user-1";
        emit_form("variation every parameter", "CreateImageVariationRequest", r, {"image"});
        emit_form("variation minimal", "CreateImageVariationRequest",
                  openai::variation_request{.image = r.image}, {"image"});
    }

    // ---- what a server (the emulator) writes
    {
        openai::images_response r;
        r.created = 1713833628;
        r.data = {{std::string("\x89PNG\r\n\x1a\n", 8), std::nullopt, std::nullopt}};
        r.background = openai::backgrounds::transparent;
        r.output_format = openai::output_formats::png;
        r.size = openai::sizes::s1024x1024;
        r.quality = openai::qualities::high;
        r.usage = openai::image_usage{100, 50, 50, {10, 40}, openai::output_tokens_details{50, 0}};
        emit("response gpt image", "ImagesResponse", openai::to_json(r));
        openai::images_response u;
        u.created = 1589478378;
        u.data = {{std::nullopt, "https://example.com/1.png", "A revised prompt"},
                  {std::nullopt, "https://example.com/2.png", std::nullopt}};
        emit("response urls", "ImagesResponse", openai::to_json(u));
    }
    {
        const std::string png("\x89PNG\r\n\x1a\n", 8);
        const openai::image_usage usage{100, 50, 50, {10, 40}, std::nullopt};
        emit("event generation partial", "ImageGenPartialImageEvent",
             openai::to_json(openai::image_event{openai::image_gen_partial_image_event{
                 png, 1620000000, openai::image_size("1024x1024"), openai::image_quality("high"),
                 openai::image_background("transparent"), openai::output_format("png"), 1}}));
        emit("event generation completed", "ImageGenCompletedEvent",
             openai::to_json(openai::image_event{openai::image_gen_completed_event{
                 png, 1620000000, openai::image_size("1536x1024"), openai::image_quality("medium"),
                 openai::image_background("opaque"), openai::output_format("webp"), usage}}));
        emit("event edit partial", "ImageEditPartialImageEvent",
             openai::to_json(openai::image_event{openai::image_edit_partial_image_event{
                 png, 1620000000, openai::image_size("1024x1536"), openai::image_quality("low"),
                 openai::image_background("auto"), openai::output_format("jpeg"), 0}}));
        emit("event edit completed", "ImageEditCompletedEvent",
             openai::to_json(openai::image_event{openai::image_edit_completed_event{
                 png, 1620000000, openai::image_size("auto"), openai::image_quality("auto"),
                 openai::image_background("transparent"), openai::output_format("png"), usage}}));
    }
    emit("error body", "ErrorResponse",
         openai::to_error_body({"Invalid size", "invalid_request_error", "size", std::nullopt}));
    return failures == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// check-examples

// The examples write "..." where the image goes: not base64. Swap in a real payload.
constexpr std::string_view stand_in_b64 = "iVBORw0KGgo=";

boost::json::value with_stand_in(boost::json::value v) {
    if (auto* o = v.if_object()) {
        for (auto& kv : *o) {
            if (kv.key() == "b64_json" && kv.value().is_string() &&
                kv.value().get_string() == "...")
                kv.value() = stand_in_b64;
            else
                kv.value() = with_stand_in(std::move(kv.value()));
        }
    } else if (auto* a = v.if_array()) {
        for (auto& e : *a)
            e = with_stand_in(std::move(e));
    }
    return v;
}

bool has_placeholder(const boost::json::value& v) {
    return boost::json::serialize(v).find("\"b64_json\":\"...\"") != std::string::npos;
}

template <class Decoded>
bool decoded_ok(const std::string& id, const Decoded& r) {
    if (!r.ok())
        fail(id, "decode failed: " + r.message);
    return r.ok();
}

template <class Request>
bool validates(const std::string& id, const Request& r) {
    if (auto err = openai::validate(r)) {
        fail(id, "validation refused the example: " + err.param + ": " + err.message);
        return false;
    }
    return true;
}

void same_json(const std::string& id, const boost::json::value& got,
               const boost::json::value& want) {
    if (got != want)
        fail(id, "re-encoded as " + boost::json::serialize(got) + ", expected " +
                     boost::json::serialize(want));
}

using field_map = std::multimap<std::string, std::string>;

void check_form(const std::string& id, const std::string& kind, const boost::json::array& raw) {
    std::vector<openai::codec::form_field> fields;
    std::vector<std::string> files;
    for (const auto& f : raw) {
        std::string name(f.at(0).as_string()), value(f.at(1).as_string());
        if (value == "@file")
            files.push_back(name);
        else
            fields.push_back({name, value});
    }
    field_map want, got;
    for (const auto& f : fields)
        want.emplace(f.name, f.value);
    if (kind == "edit_form") {
        auto r = openai::test::edit_request_from_fields(fields);
        if (!decoded_ok(id, r))
            return;
        for (const auto& f : files) {
            if (f == "mask")
                r.value.mask = openai::image_file::from_bytes("png");
            else
                r.value.images.push_back(openai::image_file::from_bytes("png"));
        }
        if (!validates(id, r.value))
            return;
        for (const auto& f : openai::codec::form_fields(r.value))
            got.emplace(f.name, f.value);
    } else {
        auto r = openai::test::variation_request_from_fields(fields);
        if (!decoded_ok(id, r))
            return;
        if (files.size() != 1 || files[0] != "image")
            fail(id, "a variation example should have one image part");
        r.value.image = openai::image_file::from_bytes("png");
        if (!validates(id, r.value))
            return;
        for (const auto& f : openai::codec::form_fields(r.value))
            got.emplace(f.name, f.value);
    }
    if (got != want)
        fail(id, "form fields do not round-trip");
}

int check_examples(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::cout << "cannot open " << path << "\n";
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto examples = boost::json::parse(text.str()).as_array();
    std::map<std::string, int> per_kind;
    for (const auto& ev : examples) {
        const auto& ex = ev.as_object();
        const std::string id(ex.at("id").as_string());
        const std::string kind(ex.at("kind").as_string());
        ++per_kind[kind];
        const int before = failures;
        if (kind == "edit_form" || kind == "variation_form") {
            check_form(id, kind, ex.at("fields").as_array());
        } else if (kind == "generate_request") {
            const auto& json = ex.at("json");
            auto r = openai::decode_generate_request(boost::json::serialize(json));
            if (decoded_ok(id, r) && validates(id, r.value))
                same_json(id, openai::to_json(r.value), json);
        } else if (kind == "edit_json") {
            const auto& json = ex.at("json");
            auto r = openai::decode_edit_request(boost::json::serialize(json));
            if (decoded_ok(id, r) && validates(id, r.value)) {
                if (!r.value.uses_json_body())
                    fail(id, "a JSON edit example should use the JSON body");
                same_json(id, openai::to_json(r.value), json);
            }
        } else if (kind == "images_response" || kind == "image_event") {
            const auto& raw = ex.at("json");
            const bool response = kind == "images_response";
            if (has_placeholder(raw)) {
                // As written, "..." must be refused as base64, naming where it is.
                const auto text = boost::json::serialize(raw);
                const auto code = response ? openai::decode_images_response(text).code
                                           : openai::decode_image_event(text).code;
                const auto message = response ? openai::decode_images_response(text).message
                                              : openai::decode_image_event(text).message;
                if (code != openai::errc::invalid_base64 ||
                    message.find(response ? "data[0].b64_json: invalid base64"
                                          : "b64_json: invalid base64") != 0)
                    fail(id,
                         "the \"...\" placeholder was not reported as invalid base64: " + message);
            }
            const auto json = with_stand_in(raw);
            const auto text = boost::json::serialize(json);
            if (response) {
                auto r = openai::decode_images_response(text);
                if (decoded_ok(id, r))
                    same_json(id, openai::to_json(r.value), json);
            } else {
                auto r = openai::decode_image_event(text);
                if (decoded_ok(id, r)) {
                    if (r.value.kind != openai::event_kind::image)
                        fail(id, "not recognised as an image event");
                    else
                        same_json(id, openai::to_json(r.value.event), json);
                }
            }
        } else {
            fail(id, "unknown example kind " + kind);
        }
        if (failures == before)
            std::cout << "ok   " << id << "\n";
    }
    // An extractor that found nothing must not pass.
    for (const char* kind : {"generate_request", "edit_json", "edit_form", "variation_form",
                             "images_response", "image_event"})
        if (per_kind[kind] == 0)
            fail(kind, "no example of this kind was extracted");
    std::cout << examples.size() << " examples, " << failures << " failures\n";
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "corpus" && argc == 2)
        return corpus();
    if (cmd == "check-examples" && argc == 3)
        return check_examples(argv[2]);
    std::cerr << "usage: spec_tool corpus | spec_tool check-examples EXAMPLES.json\n";
    return 2;
}
