#include "emulator/upload.hpp"

namespace openai::emulator {

void part_collector::begin_part(std::string name, std::optional<std::string> filename,
                                std::string content_type) {
    if (open_)
        end_part();
    received_part p;
    p.name = std::move(name);
    p.filename = std::move(filename);
    p.content_type = std::move(content_type);
    summary_.parts.push_back(std::move(p));
    hash_ = sha256{};
    prober_ = image_prober{};
    open_ = true;
}

void part_collector::data(std::string_view bytes) {
    if (!open_ || bytes.empty())
        return;
    received_part& p = summary_.parts.back();
    p.size += bytes.size();
    hash_.update(bytes);
    if (p.head.size() < 64)
        p.head.append(bytes.substr(0, 64 - p.head.size()));
    if (p.is_file()) {
        if (!prober_.done())
            prober_.feed(bytes);
    } else if (!p.value_truncated) {
        std::size_t room = max_text_value - p.value.size();
        p.value.append(bytes.substr(0, room));
        p.value_truncated = bytes.size() > room;
    }
}

void part_collector::end_part() {
    if (!open_)
        return;
    received_part& p = summary_.parts.back();
    p.sha256 = hash_.hex_digest();
    if (p.is_file())
        p.image = prober_.info();
    open_ = false;
}

} // namespace openai::emulator
