#include "api/multipart_source.hpp"

#include "api/file_reader.hpp"
#include "codec/extra_body.hpp"
#include "codec/form_fields.hpp"
#include "codec/multipart.hpp"
#include "codec/upload_rules.hpp"

#include <openai/error.hpp>

namespace openai::detail {

std::unique_ptr<transport::body_cursor> multipart_source::open(boost::system::error_code&,
                                                               std::string&) const {
    struct cursor final : transport::body_cursor {
        codec::multipart_body::reader reader;
        explicit cursor(codec::multipart_body::reader r)
            : reader(std::move(r)) {}
        std::size_t read(char* data, std::size_t size, boost::system::error_code& ec,
                         std::string& what) override {
            const auto n = reader.read(data, size, ec);
            if (ec)
                what = reader.error_message();
            return n;
        }
    };
    return std::make_unique<cursor>(body_.open());
}

error_info invalid_request_info(const validation_error& v) {
    error_info info;
    info.code = v.code;
    info.message = "invalid request: " + v.param + ": " + v.message;
    info.api = api_error{v.message, std::string("invalid_request_error"), v.param, std::nullopt};
    return info;
}

namespace {

codec::multipart_file to_part(const image_file& image, std::string name) {
    codec::multipart_file part;
    part.name = std::move(name);
    part.filename = image.filename();
    part.content_type = image.content_type();
    if (image.is_memory())
        part.source = image.bytes();
    else
        part.source = image.path();
    return part;
}

std::vector<codec::multipart_field> to_fields(std::vector<codec::form_field> fields) {
    std::vector<codec::multipart_field> out;
    out.reserve(fields.size());
    for (auto& f : fields)
        out.push_back({std::move(f.name), std::move(f.value)});
    return out;
}

std::shared_ptr<const multipart_source> build(std::vector<codec::form_field> fields,
                                              std::vector<codec::multipart_file> files,
                                              error_info& err) {
    boost::system::error_code ec;
    std::string message;
    auto body = codec::multipart_body::make(to_fields(std::move(fields)), std::move(files),
                                            local_file_options(), ec, message);
    if (ec) {
        err.code = ec;
        err.message = std::move(message);
        return nullptr;
    }
    return std::make_shared<multipart_source>(std::move(body));
}

// The request's fields and the call's extra_body, or nullopt with `err` filled on a collision.
std::optional<std::vector<codec::form_field>>
fields_with_extras(std::vector<codec::form_field> fields, const request_options& options,
                   error_info& err) {
    if (auto v = codec::merge_extra_form(fields, options.extra_body, options.extra_body_override)) {
        err = invalid_request_info(v);
        return std::nullopt;
    }
    return fields;
}

} // namespace

std::shared_ptr<const multipart_source> make_multipart_source(const edit_request& req,
                                                              std::optional<model_family> rules,
                                                              error_info& err,
                                                              const request_options& options) {
    std::vector<codec::multipart_file> files;
    // One image goes as `image` (what dall-e-2 expects); several as repeated `image[]` parts.
    const char* name = req.images.size() == 1 ? "image" : "image[]";
    const auto file_of = [&](const edit_image& input) -> const image_file* {
        return std::get_if<image_file>(&input);
    };
    for (const auto& input : req.images) {
        const auto* file = file_of(input);
        if (!file) {
            err.code = errc::invalid_request;
            err.message = "invalid request: image: files and image references cannot be mixed";
            return nullptr;
        }
        files.push_back(to_part(*file, name));
    }
    if (req.mask) {
        const auto* file = file_of(*req.mask);
        if (!file) {
            err.code = errc::invalid_request;
            err.message = "invalid request: mask: a file mask needs file images, not references";
            return nullptr;
        }
        files.push_back(to_part(*file, "mask"));
    }
    auto fields = fields_with_extras(codec::form_fields(req), options, err);
    if (!fields)
        return nullptr;
    auto body = build(std::move(*fields), std::move(files), err);
    if (body && rules) {
        if (auto v = codec::check_edit_uploads(*rules, body->files())) {
            err = invalid_request_info(v);
            return nullptr;
        }
    }
    return body;
}

std::shared_ptr<const multipart_source> make_multipart_source(const variation_request& req,
                                                              std::optional<model_family> rules,
                                                              error_info& err,
                                                              const request_options& options) {
    std::vector<codec::multipart_file> files;
    files.push_back(to_part(req.image, "image"));
    auto fields = fields_with_extras(codec::form_fields(req), options, err);
    if (!fields)
        return nullptr;
    auto body = build(std::move(*fields), std::move(files), err);
    if (body && rules) {
        if (auto v = codec::check_variation_uploads(*rules, body->files())) {
            err = invalid_request_info(v);
            return nullptr;
        }
    }
    return body;
}

} // namespace openai::detail
