#include "loadtest_workload.hpp"

#include "batch_input.hpp"
#include "image_command.hpp"
#include "stream_output.hpp"

#include <openai/validation.hpp>

#include <fstream>
#include <iterator>
#include <sstream>

namespace openai::cli::loadtest {
namespace {

std::string read_file(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw usage_error(std::string("cannot read ") + what + " '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

template <class T>
void fill(std::optional<T>& field, const std::optional<T>& fallback) {
    if (!field && fallback)
        field = fallback;
}

// The flags' values where the line has none.
void fill_unset(generate_request& line, const generate_request& flags) {
    fill(line.model, flags.model);
    fill(line.n, flags.n);
    fill(line.quality, flags.quality);
    fill(line.response_format, flags.response_format);
    fill(line.output_format, flags.output_format);
    fill(line.output_compression, flags.output_compression);
    fill(line.partial_images, flags.partial_images);
    fill(line.size, flags.size);
    fill(line.moderation, flags.moderation);
    fill(line.background, flags.background);
    fill(line.style, flags.style);
    fill(line.user, flags.user);
}

} // namespace

void add_workload_options(option_spec& spec) {
    spec.valued.insert({"prompt", "prompts", "image", "mask", "model", "n", "size", "quality",
                        "background", "output-format", "output-compression", "moderation", "style",
                        "response-format", "user", "input-fidelity"});
    spec.repeatable.insert("image");
    spec.multi.insert("image");
    spec.flags.insert("edit");
    add_stream_options(spec);
}

workload make_workload(const parsed_arguments& args, bool validate) {
    workload w;
    w.edit = args.flag("edit");
    w.stream = args.flag("stream");

    generate_request flags;
    read_shared_request_options(args, flags);
    if (auto v = args.value("moderation"))
        flags.moderation = *v;
    if (auto v = args.value("style"))
        flags.style = *v;
    flags.partial_images = partial_images_option(args);

    std::vector<generate_request> lines;
    const auto prompt = args.value("prompt");
    const auto prompts = args.value("prompts");
    if (prompt && prompts)
        throw usage_error("give --prompt TEXT or --prompts FILE.jsonl, not both");
    if (prompt) {
        generate_request r;
        r.prompt = *prompt;
        lines.push_back(std::move(r));
    } else if (prompts) {
        batch::input_options input;
        input.validate = false; // after the flags fill the lines in, below
        const auto items = batch::read_items(read_file(*prompts, "--prompts file"), input);
        for (const auto& item : items) {
            if (!item.ok())
                throw usage_error("--prompts " + *prompts + ": " + item.message);
            lines.push_back(*item.request);
        }
        if (lines.empty())
            throw usage_error("--prompts " + *prompts + " has no request lines");
    } else {
        throw usage_error("loadtest needs --prompt TEXT or --prompts FILE.jsonl");
    }
    for (auto& line : lines)
        fill_unset(line, flags);

    if (!w.edit) {
        if (!args.values("image").empty() || args.value("mask"))
            throw usage_error("--image and --mask need --edit");
        if (args.value("input-fidelity"))
            throw usage_error("--input-fidelity needs --edit");
        for (auto& line : lines) {
            if (w.stream)
                line.stream = true; // as generate_stream() sends it, for the checks below
            if (validate)
                if (auto err = openai::validate(line))
                    throw usage_error("invalid request" +
                                      (err.param.empty() ? "" : " (" + err.param + ")") + ": " +
                                      err.message);
            line.stream.reset();
        }
        w.generations = std::move(lines);
        return w;
    }

    if (args.values("image").empty())
        throw usage_error("--edit needs at least one --image PATH");
    std::vector<image_file> images;
    for (const auto& path : args.values("image"))
        images.push_back(image_file::from_bytes(read_file(path, "--image"),
                                                std::filesystem::path(path).filename().string()));
    std::optional<image_file> mask;
    if (auto m = args.value("mask"))
        mask = image_file::from_bytes(read_file(*m, "--mask"),
                                      std::filesystem::path(*m).filename().string());
    for (const auto& line : lines) {
        edit_request e;
        for (const auto& im : images)
            e.images.emplace_back(im); // bytes shared between copies
        if (mask)
            e.mask = *mask;
        e.prompt = line.prompt;
        e.model = line.model;
        e.n = line.n;
        e.size = line.size;
        e.quality = line.quality;
        e.response_format = line.response_format;
        e.output_format = line.output_format;
        e.output_compression = line.output_compression;
        e.background = line.background;
        e.moderation = line.moderation;
        e.partial_images = line.partial_images;
        e.user = line.user;
        if (auto v = args.value("input-fidelity"))
            e.input_fidelity = *v;
        if (w.stream)
            e.stream = true;
        if (validate)
            if (auto err = openai::validate(e))
                throw usage_error("invalid request" +
                                  (err.param.empty() ? "" : " (" + err.param + ")") + ": " +
                                  err.message);
        e.stream.reset();
        w.edits.push_back(std::move(e));
    }
    return w;
}

} // namespace openai::cli::loadtest
