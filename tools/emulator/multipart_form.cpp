#include "emulator/multipart_form.hpp"

#include "codec/ascii.hpp"

#include <stdexcept>

#include <openssl/evp.h>

namespace openai::emulator {

struct form_collector::hasher {
    hasher()
        : ctx(EVP_MD_CTX_new()) {
        if (ctx == nullptr)
            throw std::bad_alloc();
    }
    ~hasher() { EVP_MD_CTX_free(ctx); }
    hasher(const hasher&) = delete;
    hasher& operator=(const hasher&) = delete;

    void reset() {
        if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
            throw std::runtime_error("SHA-256 initialisation failed");
    }
    void update(std::string_view bytes) {
        if (EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) != 1)
            throw std::runtime_error("SHA-256 update failed");
    }
    void final(std::array<unsigned char, 32>& out) {
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(ctx, out.data(), &n) != 1 || n != out.size())
            throw std::runtime_error("SHA-256 finalisation failed");
    }

    EVP_MD_CTX* ctx;
};

std::string form_file::sha256_hex() const {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (unsigned char c : sha256) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

const form_field* form_data::field(std::string_view name) const {
    for (const auto& f : fields)
        if (f.name == name)
            return &f;
    return nullptr;
}

std::vector<const form_field*> form_data::fields_named(std::string_view name) const {
    std::vector<const form_field*> out;
    for (const auto& f : fields)
        if (f.name == name)
            out.push_back(&f);
    return out;
}

std::vector<const form_file*> form_data::files_named(std::string_view name) const {
    std::vector<const form_file*> out;
    for (const auto& f : files)
        if (f.name == name)
            out.push_back(&f);
    return out;
}

form_collector::form_collector(form_limits limits)
    : limits_(limits)
    , hash_(std::make_unique<hasher>()) {}

form_collector::~form_collector() = default;

namespace {

bool is_text_type(std::string_view content_type) {
    return content_type.empty() || codec::starts_with_icase(content_type, "text/");
}

std::string label(std::string_view name) {
    std::string out = "'";
    for (char c : name.substr(0, 64))
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out + "'";
}

} // namespace

void form_collector::on_part_begin(const multipart_part& part) {
    in_file_ = part.filename.has_value() || !is_text_type(part.content_type);
    if (in_file_) {
        if (form_.files.size() >= limits_.max_files)
            throw multipart_error("too many file parts (more than " +
                                  std::to_string(limits_.max_files) + ")");
        form_file f;
        f.name = part.name;
        f.filename = part.filename.value_or(std::string());
        f.content_type = part.content_type;
        form_.files.push_back(std::move(f));
        hash_->reset();
        prober_ = image_prober();
        return;
    }
    if (form_.fields.size() >= limits_.max_fields)
        throw multipart_error("too many form fields (more than " +
                              std::to_string(limits_.max_fields) + ")");
    form_.fields.push_back({part.name, {}, part.content_type});
}

void form_collector::on_part_data(std::string_view bytes) {
    if (!in_file_) {
        auto& field = form_.fields.back();
        if (bytes.size() > limits_.max_field_bytes - field.value.size())
            throw multipart_error("form field " + label(field.name) + " is longer than " +
                                  std::to_string(limits_.max_field_bytes) + " bytes");
        field.value.append(bytes);
        return;
    }
    auto& file = form_.files.back();
    file.size += bytes.size();
    if (limits_.keep_file_bytes != 0) {
        if (file.size > limits_.keep_file_bytes)
            throw multipart_error("file " + label(file.name) + " is larger than " +
                                  std::to_string(limits_.keep_file_bytes) + " bytes");
        if (!file.content)
            file.content = std::make_shared<std::string>();
        file.content->append(bytes);
    }
    if (file.head.size() < head_bytes)
        file.head.append(bytes.substr(0, head_bytes - file.head.size()));
    hash_->update(bytes);
    if (!prober_.done())
        prober_.feed(bytes);
}

void form_collector::on_part_end() {
    if (!in_file_)
        return;
    auto& file = form_.files.back();
    hash_->final(file.sha256);
    file.info = prober_.info();
    if (!prober_.done() && file.info.format == image_format::unknown)
        file.info.format = sniff_format(file.head); // a file shorter than the magic window
}

form_reader::form_reader(form_limits limits, multipart_limits multipart)
    : collector_(limits)
    , multipart_limits_(multipart) {}

bool form_reader::start(std::string_view content_type) {
    auto boundary = parse_multipart_boundary(content_type, error_);
    if (!boundary)
        return false;
    parser_.emplace(std::move(*boundary), collector_, multipart_limits_);
    return true;
}

bool form_reader::feed(std::string_view bytes) {
    if (!parser_) {
        if (error_.empty())
            error_ = "form_reader::feed before a successful start()";
        return false;
    }
    if (!parser_->feed(bytes)) {
        error_ = parser_->error();
        return false;
    }
    return true;
}

bool form_reader::finish() {
    if (!parser_) {
        if (error_.empty())
            error_ = "form_reader::finish before a successful start()";
        return false;
    }
    if (!parser_->finish()) {
        error_ = parser_->error();
        return false;
    }
    return true;
}

} // namespace openai::emulator
