#include "emulator/request_checks.hpp"

#include "codec/base64.hpp"
#include "emulator/model_rules.hpp"

#include <openai/request_fields.hpp>
#include <openai/validation.hpp>

#include <boost/json.hpp>

#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <span>

namespace openai::emulator {
namespace {

namespace json = boost::json;

// The parameters of each body come from the library's field tables (<openai/request_fields.hpp>):
// their wire names, types, the schema's enumerations and ranges, and which bodies carry them.
using openai::field_info;
using openai::field_type;
namespace bodies = openai::bodies;

constexpr auto generation_fields = openai::field_infos<openai::generate_request>();
constexpr auto edit_fields = openai::field_infos<openai::edit_request>();
constexpr auto variation_fields = openai::field_infos<openai::variation_request>();

// The parameters a body takes: the fields of its table that it carries.
struct param_set {
    std::span<const field_info> fields;
    unsigned body;

    const field_info* find(std::string_view name) const {
        for (const auto& f : fields)
            if (f.in(body) && f.name == name)
                return &f;
        return nullptr;
    }
};

constexpr param_set generation_params{generation_fields, bodies::json};
constexpr param_set edit_params{edit_fields, bodies::form};
constexpr param_set json_edit_params{edit_fields, bodies::json};
constexpr param_set variation_params{variation_fields, bodies::form};

// The models each endpoint serves: known families (a dated snapshot takes its base model's),
// DALL-E 3 never for edits, DALL-E 2 never for JSON edits, only DALL-E 2 for variations.
constexpr std::array<std::string_view, 9> generation_models{
    "gpt-image-1.5", "gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst", "dall-e-2",
    "dall-e-3",      "gpt-image-1", "gpt-image-1-mini",    "chatgpt-image-latest"};
constexpr std::array<std::string_view, 8> edit_models{
    "gpt-image-1.5", "gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.5-sunburst",
    "dall-e-2",      "gpt-image-1", "gpt-image-1-mini",    "chatgpt-image-latest"};
constexpr std::array<std::string_view, 7> json_edit_models{
    "gpt-image-1.5", "gpt-image-2",      "gpt-image-2.5-flare", "gpt-image-2.5-sunburst",
    "gpt-image-1",   "gpt-image-1-mini", "chatgpt-image-latest"};
constexpr std::array<std::string_view, 1> variation_models{"dall-e-2"};

std::string_view kind_name(const json::value& v) {
    switch (v.kind()) {
    case json::kind::string:
        return "a string";
    case json::kind::int64:
    case json::kind::uint64:
        return "an integer";
    case json::kind::double_:
        return "a decimal number";
    case json::kind::bool_:
        return "a boolean";
    case json::kind::object:
        return "an object";
    case json::kind::array:
        return "an array";
    case json::kind::null:
        break;
    }
    return "null";
}

std::string_view expected_name(field_type t) {
    switch (t) {
    case field_type::integer:
        return "an integer";
    case field_type::boolean:
        return "a boolean";
    case field_type::string:
        break;
    }
    return "a string";
}

std::string quoted_list(std::span<const std::string_view> values) {
    std::string out;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i != 0)
            out += i + 1 == values.size() ? (values.size() == 2 ? " and " : ", and ") : ", ";
        out += "'" + std::string(values[i]) + "'";
    }
    return out;
}

// A model name of `values`, or a dated snapshot of one ("gpt-image-2.5-flare-2026-09-08").
template <std::size_t N>
bool contains_model(const std::array<std::string_view, N>& values, std::string_view v) {
    const std::string_view base = openai::base_model(v);
    for (auto x : values)
        if (x == v || x == base)
            return true;
    return false;
}

template <std::size_t N>
std::string models_list(const std::array<std::string_view, N>& values) {
    return quoted_list(values) + " (or a dated snapshot of one, '<model>-YYYY-MM-DD')";
}

// Parameters after the type checks: strings, int64 and bools only.
using params = std::map<std::string, json::value, std::less<>>;

// Checks one value against its definition (type, enum, range); stores it.
std::optional<error_reply> accept(const field_info& def, const json::value& v, params& out) {
    switch (def.type) {
    case field_type::string:
        if (!v.is_string())
            return invalid_type(def.name, expected_name(def.type), kind_name(v));
        if (!def.values.empty()) {
            std::string_view s = v.get_string();
            bool ok = false;
            for (auto x : def.values)
                ok = ok || x == s;
            if (!ok)
                return invalid_value(def.name, s, quoted_list(def.values));
        }
        break;
    case field_type::integer: {
        if (!v.is_int64() && !v.is_uint64())
            return invalid_type(def.name, expected_name(def.type), kind_name(v));
        long long n = v.is_int64() ? v.get_int64()
                                   : static_cast<long long>(std::min<std::uint64_t>(
                                         v.get_uint64(), std::uint64_t(1) << 62));
        if (def.has_range && (n < def.min || n > def.max))
            return integer_out_of_range(def.name, n, def.min, def.max);
        out[std::string(def.name)] = n;
        return std::nullopt;
    }
    case field_type::boolean:
        if (!v.is_bool())
            return invalid_type(def.name, expected_name(def.type), kind_name(v));
        break;
    }
    out[std::string(def.name)] = v;
    return std::nullopt;
}

// A multipart text value as the JSON value its parameter expects (or the text itself, which
// then fails the type check with the API's message).
json::value coerce(const field_info& def, const std::string& text) {
    if (def.type == field_type::integer) {
        long long n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec == std::errc{} && end == text.data() + text.size() && !text.empty())
            return n;
    } else if (def.type == field_type::boolean) {
        if (text == "true")
            return true;
        if (text == "false")
            return false;
    }
    return json::string(text);
}

std::optional<error_reply> read_json_params(const json::object& body, const param_set& defs,
                                          std::span<const std::string_view> structural,
                                          params& out) {
    for (const auto& kv : body) {
        std::string_view name = kv.key();
        bool is_structural = false;
        for (auto s : structural)
            is_structural = is_structural || s == name;
        if (is_structural)
            continue;
        const field_info* def = defs.find(name);
        if (!def)
            return unknown_parameter(name);
        if (kv.value().is_null())
            continue; // every optional parameter is nullable
        if (auto e = accept(*def, kv.value(), out))
            return e;
    }
    return std::nullopt;
}

std::string get_string(const params& p, std::string_view name, std::string fallback = {}) {
    auto it = p.find(name);
    return it == p.end() ? fallback : std::string(it->second.get_string());
}

long long get_int(const params& p, std::string_view name, long long fallback) {
    auto it = p.find(name);
    return it == p.end() ? fallback : it->second.get_int64();
}

bool get_bool(const params& p, std::string_view name, bool fallback) {
    auto it = p.find(name);
    return it == p.end() ? fallback : it->second.get_bool();
}

// Builds the job from checked parameters: model, prompt, size and defaults.
check_result finish(operation op, bool json_edit, const params& p, image_job job,
                    const rule_inputs& inputs = {}) {
    job.op = op;
    job.json_edit = json_edit;

    // The model, and the API's default for each endpoint.
    auto m = p.find("model");
    if (m != p.end()) {
        job.model = std::string(m->second.get_string());
        bool known = false;
        std::string supported;
        switch (op) {
        case operation::generate:
            known = contains_model(generation_models, job.model);
            supported = models_list(generation_models);
            break;
        case operation::edit:
            known = json_edit ? contains_model(json_edit_models, job.model)
                              : contains_model(edit_models, job.model);
            supported = json_edit ? models_list(json_edit_models) : models_list(edit_models);
            break;
        case operation::variation:
            known = contains_model(variation_models, job.model);
            supported = models_list(variation_models);
            break;
        }
        if (!known)
            return invalid_value("model", job.model, supported);
    } else if (op == operation::variation) {
        job.model = "dall-e-2";
    } else if (op == operation::edit) {
        job.model = "gpt-image-1.5";
    } else {
        // "Defaults to dall-e-2 unless a parameter specific to the GPT image models is used."
        // stream=false is every model's default, not a GPT-only parameter.
        bool gpt_param = get_bool(p, "stream", false);
        for (auto name :
             {"output_format", "output_compression", "background", "moderation", "partial_images"})
            gpt_param = gpt_param || p.contains(std::string_view(name));
        job.model = gpt_param ? "gpt-image-1.5" : "dall-e-2";
    }
    job.gpt = is_gpt_image_model(job.model);

    if (op != operation::variation) {
        auto it = p.find("prompt");
        if (it == p.end())
            return missing_parameter("prompt");
        job.prompt = std::string(it->second.get_string());
        if (job.prompt.empty()) {
            error_reply e;
            e.message = "Invalid 'prompt': string too short. Expected a string with minimum "
                        "length 1, but got an empty string instead.";
            e.param = "prompt";
            e.code = "string_below_min_length";
            return e;
        }
    }

    job.n = static_cast<unsigned>(get_int(p, "n", 1));
    job.quality = get_string(p, "quality", "auto");
    job.background = get_string(p, "background", "auto");
    job.output_format = *parse_image_format(get_string(p, "output_format", "png"));
    job.output_compression = static_cast<int>(get_int(p, "output_compression", 100));
    job.stream = get_bool(p, "stream", false);
    job.partial_images = static_cast<unsigned>(get_int(p, "partial_images", 0));
    job.input_fidelity = get_string(p, "input_fidelity");
    job.moderation = get_string(p, "moderation");
    job.style = get_string(p, "style");
    job.user = get_string(p, "user");
    job.response_format = get_string(p, "response_format", job.gpt ? "b64_json" : "url");

    job.size = get_string(p, "size", job.gpt ? "auto" : "1024x1024");
    if (job.size == "auto") {
        job.width = job.height = 1024;
    } else if (!parse_size(job.size, job.width, job.height)) {
        return invalid_value("size", job.size,
                             "'auto', '1024x1024', '1536x1024', '1024x1536' or WIDTHxHEIGHT");
    }

    json::object sent;
    for (const auto& [name, value] : p)
        sent[name] = value;
    if (auto e = apply_model_rules(job, sent, inputs))
        return *e;
    // The emulator's own limit, whatever the model rules said: it draws the pictures.
    if (job.width > 4096 || job.height > 4096)
        return invalid_value("size", job.size, "sizes up to 4096x4096 (emulator limit)");
    if (job.background == "transparent" && job.output_format == image_format::jpeg) {
        error_reply e;
        e.message = "Transparent background is not supported for the 'jpeg' output format; use "
                    "'png' or 'webp'.";
        e.param = "background";
        e.code = "invalid_value";
        return e;
    }
    return job;
}

// An upload as the rules see it: its first bytes stand for the file (sizes are checked here).
openai::edit_image upload_of(const form_file& f) {
    return openai::image_file::from_bytes(f.head, f.filename.empty() ? "upload" : f.filename)
        .with_content_type(f.content_type);
}

// A checked ImageRefParam as the rules see it.
openai::edit_image reference_of(const json::value& v) {
    const auto& o = v.as_object();
    if (const auto* url = o.if_contains("image_url"))
        return openai::image_reference::url(std::string(url->as_string()));
    return openai::image_reference::file(std::string(o.at("file_id").as_string()));
}

bool mime_matches(std::string_view content_type, image_format& declared) {
    auto semi = content_type.find(';');
    std::string_view base = content_type.substr(0, semi);
    while (!base.empty() && base.back() == ' ')
        base.remove_suffix(1);
    for (auto f : {image_format::png, image_format::jpeg, image_format::webp}) {
        if (base == mime_type(f)) {
            declared = f;
            return true;
        }
    }
    return false;
}

std::optional<error_reply> check_image_part(const form_file& part, std::string_view param,
                                            std::size_t index) {
    image_format declared = image_format::unknown;
    std::string ct = part.content_type.empty() ? "application/octet-stream" : part.content_type;
    if (!mime_matches(ct, declared)) {
        error_reply e;
        e.message = "Invalid file '" + std::string(param) + "': unsupported mimetype ('" + ct +
                    "'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.";
        e.param = std::string(param);
        e.code = "unsupported_file_mimetype";
        return e;
    }
    if (part.info.format == image_format::unknown || !part.info.complete()) {
        error_reply e;
        e.message = "Invalid image file or mode for " + std::string(param) + " " +
                    std::to_string(index + 1) +
                    ", please check your image file (it is not a PNG, JPEG or WebP image).";
        e.param = std::string(param);
        e.code = "invalid_image_file";
        return e;
    }
    if (part.info.format != declared) {
        error_reply e;
        e.message = "Invalid file '" + std::string(param) + "': its Content-Type is '" + ct +
                    "' but it holds a " + std::string(to_string(part.info.format)) + " image.";
        e.param = std::string(param);
        e.code = "invalid_image_file";
        return e;
    }
    return std::nullopt;
}

error_reply file_rule(std::string_view param, std::string message) {
    error_reply e;
    e.message = std::move(message);
    e.param = std::string(param);
    e.code = "invalid_image_file";
    return e;
}

// Reads the text fields into params; file parts must be file fields and vice versa.
std::optional<error_reply> read_form_params(const received_form& form, const param_set& defs,
                                          std::span<const std::string_view> file_fields,
                                          params& out) {
    auto is_file_field = [&](std::string_view name) {
        for (auto f : file_fields)
            if (f == name)
                return true;
        return false;
    };
    std::map<std::string, bool, std::less<>> seen;
    for (const auto& ref : form.order) {
        if (ref.file) {
            const form_file& file = form.data.files[ref.index];
            if (is_file_field(file.name))
                continue;
            const field_info* def = defs.find(file.name);
            if (!def)
                return unknown_parameter(file.name);
            return invalid_type(file.name, expected_name(def->type), "a file");
        }
        const form_field& field = form.data.fields[ref.index];
        if (is_file_field(field.name))
            return invalid_type(field.name, "a file", "a string");
        const field_info* def = defs.find(field.name);
        if (!def)
            return unknown_parameter(field.name);
        if (seen[field.name]) {
            error_reply e;
            e.message = "Duplicate parameter: '" + field.name + "' was sent more than once.";
            e.param = field.name;
            e.code = "duplicate_parameter";
            return e;
        }
        seen[field.name] = true;
        if (auto e = accept(*def, coerce(*def, field.value), out))
            return e;
    }
    return std::nullopt;
}

std::optional<error_reply> form_error(const received_form& form) {
    if (form.error.empty())
        return std::nullopt;
    error_reply e;
    e.message = "Invalid multipart/form-data body: " + form.error;
    return e;
}

constexpr std::uint64_t mb = 1024 * 1024;

// Data URLs in JSON edits: enough of the base64 is decoded to read the image header.
std::optional<std::string> decode_head(std::string_view b64, std::size_t max_chars) {
    std::string out;
    codec::base64_decoder decoder;
    std::string_view head = b64.substr(0, std::min(b64.size(), max_chars) / 4 * 4);
    if (head.size() == b64.size()) {
        if (!decoder.feed(head, out) || !decoder.finish(out))
            return std::nullopt;
    } else if (!decoder.feed(head, out)) {
        return std::nullopt;
    }
    return out;
}

// One ImageRefParam: exactly one of image_url / file_id. Returns the probed size of a data URL
// (0x0 for references the emulator does not fetch).
std::optional<error_reply> check_ref(const json::value& v, const std::string& path,
                                     std::pair<std::uint32_t, std::uint32_t>& dims) {
    dims = {0, 0};
    if (!v.is_object())
        return invalid_type(path, "an object", kind_name(v));
    const auto& o = v.as_object();
    for (const auto& kv : o)
        if (kv.key() != "image_url" && kv.key() != "file_id")
            return unknown_parameter(path + "." + std::string(kv.key()));
    const json::value* url = o.if_contains("image_url");
    const json::value* file = o.if_contains("file_id");
    if ((url == nullptr) == (file == nullptr)) {
        error_reply e;
        e.message = "Invalid '" + path + "': provide exactly one of 'image_url' or 'file_id'.";
        e.param = path;
        e.code = "invalid_value";
        return e;
    }
    if (file) {
        if (!file->is_string())
            return invalid_type(path + ".file_id", "a string", kind_name(*file));
        if (file->get_string().empty())
            return invalid_value(path + ".file_id", "", "");
        return std::nullopt;
    }
    if (!url->is_string())
        return invalid_type(path + ".image_url", "a string", kind_name(*url));
    std::string_view s = url->get_string();
    if (s.starts_with("https://") || s.starts_with("http://"))
        return std::nullopt;
    if (s.starts_with("data:")) {
        auto comma = s.find(',');
        std::string_view meta = s.substr(5, comma == std::string_view::npos ? 0 : comma - 5);
        image_format declared = image_format::unknown;
        bool base64 = meta.ends_with(";base64");
        if (comma == std::string_view::npos || !base64 ||
            !mime_matches(meta.substr(0, meta.size() - 7), declared)) {
            error_reply e;
            e.message = "Invalid '" + path +
                        ".image_url': a data URL must be 'data:image/png|jpeg|webp;base64,...'.";
            e.param = path + ".image_url";
            e.code = "invalid_image_url";
            return e;
        }
        auto head = decode_head(s.substr(comma + 1), 96 * 1024);
        image_info info = head ? probe(*head) : image_info{};
        if (!head || info.format != declared || !info.complete()) {
            error_reply e;
            e.message = "Invalid '" + path +
                        ".image_url': the data URL does not hold a valid image of its type.";
            e.param = path + ".image_url";
            e.code = "invalid_image_file";
            return e;
        }
        dims = {info.width, info.height};
        return std::nullopt;
    }
    error_reply e;
    e.message = "Invalid '" + path + ".image_url': expected an http(s) URL or a data URL.";
    e.param = path + ".image_url";
    e.code = "invalid_image_url";
    return e;
}

} // namespace

bool is_gpt_image_model(std::string_view model) noexcept {
    return model.starts_with("gpt-image-") || model.starts_with("chatgpt-image-");
}

bool parse_size(std::string_view s, std::uint32_t& width, std::uint32_t& height) noexcept {
    auto x = s.find('x');
    if (x == std::string_view::npos || x == 0 || x + 1 == s.size())
        return false;
    auto num = [](std::string_view t, std::uint32_t& out) {
        if (t.size() > 6)
            return false;
        for (char c : t)
            if (c < '0' || c > '9')
                return false;
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
        return ec == std::errc{} && out > 0;
    };
    return num(s.substr(0, x), width) && num(s.substr(x + 1), height);
}

std::string image_job::reported_quality() const {
    if (quality != "auto")
        return quality;
    return gpt ? "medium" : "standard";
}

std::string image_job::reported_background() const {
    return background == "auto" ? "opaque" : background;
}

std::string image_job::reported_size() const {
    return std::to_string(width) + "x" + std::to_string(height);
}

check_result check_generation(const json::value& body) {
    if (!body.is_object())
        return invalid_type("body", "an object", kind_name(body));
    params p;
    if (auto e = read_json_params(body.get_object(), generation_params, {}, p))
        return *e;
    return finish(operation::generate, false, p, {});
}

check_result check_edit_json(const json::value& body) {
    if (!body.is_object())
        return invalid_type("body", "an object", kind_name(body));
    const auto& o = body.get_object();
    static constexpr std::string_view structural[] = {"images", "mask"};
    params p;
    if (auto e = read_json_params(o, json_edit_params, structural, p))
        return *e;
    image_job job;
    const json::value* images = o.if_contains("images");
    if (!images || images->is_null())
        return missing_parameter("images");
    if (!images->is_array())
        return invalid_type("images", "an array", kind_name(*images));
    const auto& arr = images->get_array();
    if (arr.empty()) {
        error_reply e;
        e.message = "Invalid 'images': empty array. Expected an array with minimum length 1, but "
                    "got an empty array instead.";
        e.param = "images";
        e.code = "empty_array";
        return e;
    }
    if (arr.size() > 16) {
        error_reply e;
        e.message = "Invalid 'images': array too long. Expected an array with maximum length 16, "
                    "but got an array with length " +
                    std::to_string(arr.size()) + " instead.";
        e.param = "images";
        e.code = "array_above_max_length";
        return e;
    }
    rule_inputs inputs;
    for (std::size_t i = 0; i < arr.size(); ++i) {
        std::pair<std::uint32_t, std::uint32_t> dims;
        if (auto e = check_ref(arr[i], "images[" + std::to_string(i) + "]", dims))
            return *e;
        job.input_images.push_back(dims);
        inputs.images.push_back(reference_of(arr[i]));
    }
    if (const json::value* mask = o.if_contains("mask"); mask && !mask->is_null()) {
        std::pair<std::uint32_t, std::uint32_t> dims;
        if (auto e = check_ref(*mask, "mask", dims))
            return *e;
        inputs.mask = reference_of(*mask);
        auto first = job.input_images.front();
        if (dims.first != 0 && first.first != 0 && dims != first)
            return file_rule("mask",
                             "Invalid 'mask': its dimensions (" + std::to_string(dims.first) + "x" +
                                 std::to_string(dims.second) + ") differ from the first image's (" +
                                 std::to_string(first.first) + "x" + std::to_string(first.second) +
                                 ").");
    }
    return finish(operation::edit, true, p, std::move(job), inputs);
}

check_result check_edit_multipart(const received_form& form) {
    if (auto e = form_error(form))
        return *e;
    static constexpr std::string_view files[] = {"image", "image[]", "mask"};
    params p;
    if (auto e = read_form_params(form, edit_params, files, p))
        return *e;
    image_job job;
    std::vector<const form_file*> images;
    const form_file* mask = nullptr;
    for (const form_file& part : form.data.files) {
        if (part.name == "mask") {
            if (mask)
                return file_rule("mask", "Invalid 'mask': only one mask may be sent.");
            mask = &part;
        } else if (part.name == "image" || part.name == "image[]") {
            images.push_back(&part);
        }
    }
    if (images.empty())
        return missing_parameter("image");
    if (images.size() > 16)
        return file_rule("image", "Invalid 'image': at most 16 images may be sent, got " +
                                      std::to_string(images.size()) + ".");
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (auto e = check_image_part(*images[i], "image", i))
            return *e;
        job.input_images.emplace_back(images[i]->info.width, images[i]->info.height);
    }
    if (mask) {
        if (auto e = check_image_part(*mask, "mask", 0))
            return *e;
        if (mask->info.format != image_format::png)
            return file_rule("mask", "Invalid 'mask': the mask must be a PNG image.");
        if (mask->size >= 4 * mb)
            return file_rule("mask", "Invalid 'mask': the mask must be less than 4 MB.");
        if (mask->info.width != images[0]->info.width ||
            mask->info.height != images[0]->info.height)
            return file_rule("mask", "Invalid 'mask': its dimensions (" +
                                         std::to_string(mask->info.width) + "x" +
                                         std::to_string(mask->info.height) +
                                         ") differ from the first image's (" +
                                         std::to_string(images[0]->info.width) + "x" +
                                         std::to_string(images[0]->info.height) + ").");
    }
    rule_inputs inputs;
    for (const form_file* f : images)
        inputs.images.push_back(upload_of(*f));
    if (mask)
        inputs.mask = upload_of(*mask);
    auto result = finish(operation::edit, false, p, std::move(job), inputs);
    if (auto* accepted = std::get_if<image_job>(&result)) {
        // File rules that depend on the model.
        if (accepted->gpt) {
            for (std::size_t i = 0; i < images.size(); ++i)
                if (images[i]->size >= 50 * mb)
                    return file_rule("image", "Invalid 'image': image " + std::to_string(i + 1) +
                                                  " is larger than 50 MB.");
        } else {
            if (images.size() != 1)
                return file_rule("image", "Invalid 'image': dall-e-2 accepts exactly one image.");
            const form_file& img = *images[0];
            if (img.info.format != image_format::png)
                return file_rule("image", "Invalid 'image': dall-e-2 needs a PNG image.");
            if (img.size >= 4 * mb)
                return file_rule("image", "Invalid 'image': dall-e-2 needs an image under 4 MB.");
            if (img.info.width != img.info.height)
                return file_rule("image", "Invalid 'image': dall-e-2 needs a square image.");
        }
    }
    return result;
}

check_result check_variation(const received_form& form) {
    if (auto e = form_error(form))
        return *e;
    static constexpr std::string_view files[] = {"image"};
    params p;
    if (auto e = read_form_params(form, variation_params, files, p))
        return *e;
    auto images = form.data.files_named("image");
    if (images.empty())
        return missing_parameter("image");
    if (images.size() > 1)
        return file_rule("image", "Invalid 'image': a variation takes exactly one image.");
    const form_file& image = *images.front();
    if (auto e = check_image_part(image, "image", 0))
        return *e;
    if (image.info.format != image_format::png)
        return file_rule("image", "Invalid 'image': the image must be a PNG.");
    if (image.size >= 4 * mb)
        return file_rule("image", "Invalid 'image': the image must be less than 4 MB.");
    if (image.info.width != image.info.height)
        return file_rule("image", "Invalid 'image': the image must be square.");
    image_job job;
    job.input_images.emplace_back(image.info.width, image.info.height);
    job.input_digest = image.sha256_hex();
    rule_inputs inputs;
    inputs.images.push_back(upload_of(image));
    return finish(operation::variation, false, p, std::move(job), inputs);
}

} // namespace openai::emulator
