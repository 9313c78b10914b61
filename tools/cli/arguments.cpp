#include "arguments.hpp"

#include <charconv>

namespace openai::cli {

std::string format_help(const char* format, std::initializer_list<const char*> parts) {
    std::string out;
    auto next = parts.begin();
    for (const char* p = format; *p != '\0'; ++p) {
        if (*p == '%' && p[1] == '%') {
            out += '%';
            ++p;
        } else if (*p == '%' && p[1] == 's' && next != parts.end()) {
            out += *next++;
            ++p;
        } else {
            out += *p;
        }
    }
    return out;
}

std::vector<std::string> option_spec::names() const {
    std::set<std::string> all = flags;
    all.insert(valued.begin(), valued.end());
    return {all.begin(), all.end()};
}

parsed_arguments::parsed_arguments(const std::vector<std::string>& args, const option_spec& spec) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg.rfind("--", 0) != 0)
            throw usage_error("unexpected argument '" + arg + "'");
        std::string name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (spec.flags.count(name)) {
            if (inline_value)
                throw usage_error("option --" + name + " takes no value");
            flags_.insert(name);
            continue;
        }
        if (!spec.valued.count(name))
            throw usage_error("unknown option --" + name);
        std::string value;
        if (inline_value) {
            value = *inline_value;
        } else {
            if (i + 1 >= args.size())
                throw usage_error("option --" + name + " needs a value");
            value = args[++i];
        }
        auto& slot = values_[name];
        if (!slot.empty() && !spec.repeatable.count(name))
            throw usage_error("option --" + name + " given more than once");
        slot.push_back(std::move(value));
        if (spec.multi.count(name))
            while (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0)
                slot.push_back(args[++i]);
    }
}

std::optional<std::string> parsed_arguments::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty())
        return std::nullopt;
    return it->second.back();
}

const std::vector<std::string>& parsed_arguments::values(const std::string& name) const {
    static const std::vector<std::string> none;
    auto it = values_.find(name);
    return it == values_.end() ? none : it->second;
}

std::optional<int> parsed_arguments::integer(const std::string& name, int min, int max) const {
    auto text = value(name);
    if (!text)
        return std::nullopt;
    int v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || end != text->data() + text->size() || v < min || v > max)
        throw usage_error("option --" + name + " needs an integer from " + std::to_string(min) +
                          " to " + std::to_string(max) + ", not '" + *text + "'");
    return v;
}

std::optional<double> parsed_arguments::number(const std::string& name, double min,
                                               double max) const {
    auto text = value(name);
    if (!text)
        return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || end != text->data() + text->size() || !(v >= min) || !(v <= max))
        throw usage_error("option --" + name + " needs a number from " + std::to_string(min) +
                          " to " + std::to_string(max) + ", not '" + *text + "'");
    return v;
}

} // namespace openai::cli
