// `openai-images edit` and `openai-images variation`: images from files (streamed from disk) or,
// for edits, references by URL or file id; results written like `generate` writes them.
#include "arguments.hpp"
#include "commands.hpp"
#include "image_command.hpp"
#include "output.hpp"
#include "session.hpp"
#include "stream_output.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>

namespace openai::cli {
namespace {

const char* const edit_help =
    R"(usage: openai-images edit --image PATH... [--mask PATH] --prompt TEXT [OPTIONS]

inputs (files are sent in the order given, the mask applying to the first image):
  --image PATH...            an input image (PNG, JPEG or WebP; repeatable, up to 16)
  --mask PATH                a PNG whose transparent areas mark what to change
  --image-url URL...         an input image by URL or data URL instead of a file (GPT models)
  --file-id ID...            an input image by Files API id instead of a file (GPT models)

request (the API's parameters; unset ones are left to the API's defaults):
  --prompt TEXT              what to change (required)
  --model M                  gpt-image-2.5-flare, gpt-image-2.5-sunburst, gpt-image-2,
                             gpt-image-1.5, gpt-image-1, gpt-image-1-mini, chatgpt-image-latest,
                             a dated snapshot (MODEL-YYYY-MM-DD); dall-e-2 (retired 2026-05-12)
  --n N                      number of images, 1..10
  --size S                   1024x1024, 1536x1024, 1024x1536, auto, WxH (gpt-image-2, 2.5)
  --quality Q                auto, low, medium, high (GPT); xhigh, max (2.5 models);
                             standard (dall-e-2)
  --background B             transparent, opaque, auto (GPT)
  --output-format F          png, jpeg, webp (GPT)
  --output-compression C     0..100, for jpeg and webp (GPT)
  --input-fidelity F         high, low (GPT, not -mini)
  --response-format R        url, b64_json (dall-e-2)
  --user U                   an end-user id for abuse monitoring
  --partial-images K         with --stream: partial images to send first, 0..3 (GPT)
(moderation is not a parameter of edits with files; the API takes it only with --image-url
or --file-id inputs, which this command does not send it with)

%s%s
%s)";

const char* const variation_help =
    R"(usage: openai-images variation --image PATH [OPTIONS]

LEGACY: variations are a dall-e-2 endpoint, and DALL-E 2 was retired on 2026-05-12; the
command stays for servers that still serve it. Its replacement is an edit:
  openai-images edit --image PATH --prompt "a variation of this image" --model gpt-image-2.5-flare

request (dall-e-2; unset parameters are left to the API's defaults):
  --image PATH               a square PNG under 4 MB (required)
  --model M                  dall-e-2
  --n N                      number of images, 1..10
  --size S                   256x256, 512x512, 1024x1024
  --response-format R        url, b64_json
  --user U                   an end-user id for abuse monitoring

%s
%s)";

option_spec edit_spec() {
    option_spec spec;
    spec.valued = {"image",
                   "mask",
                   "image-url",
                   "file-id",
                   "prompt",
                   "model",
                   "n",
                   "size",
                   "quality",
                   "background",
                   "output-format",
                   "output-compression",
                   "input-fidelity",
                   "response-format",
                   "user"};
    spec.repeatable = {"image", "image-url", "file-id"};
    spec.multi = spec.repeatable;
    spec.flags = {"help"};
    add_output_options(spec);
    add_stream_options(spec);
    add_session_options(spec);
    return spec;
}

option_spec variation_spec() {
    option_spec spec;
    spec.valued = {"image", "model", "n", "size", "response-format", "user"};
    spec.flags = {"help"};
    add_output_options(spec);
    add_session_options(spec);
    return spec;
}

edit_request build_edit(const parsed_arguments& args) {
    edit_request req;
    for (const auto& path : args.values("image"))
        req.images.emplace_back(image_file::from_path(path));
    for (const auto& url : args.values("image-url"))
        req.images.emplace_back(image_reference::url(url));
    for (const auto& id : args.values("file-id"))
        req.images.emplace_back(image_reference::file(id));
    if (req.images.empty())
        throw usage_error("edit needs at least one --image PATH (or --image-url / --file-id)");
    if (auto v = args.value("mask"))
        req.mask = image_file::from_path(*v);
    auto prompt = args.value("prompt");
    if (!prompt)
        throw usage_error("edit needs --prompt TEXT");
    req.prompt = *prompt;
    read_shared_request_options(args, req);
    if (auto v = args.value("input-fidelity"))
        req.input_fidelity = *v;
    req.partial_images = partial_images_option(args);
    return req;
}

variation_request build_variation(const parsed_arguments& args) {
    variation_request req;
    auto image = args.value("image");
    if (!image)
        throw usage_error("variation needs --image PATH");
    req.image = image_file::from_path(*image);
    read_common_request_options(args, req);
    return req;
}

using call_result = boost::asio::awaitable<std::tuple<boost::system::error_code, images_response>>;

} // namespace

int run_edit(const std::vector<std::string>& raw) {
    const parsed_arguments args(raw, edit_spec());
    if (args.flag("help")) {
        std::printf(edit_help, output_help, stream_help, connection_help);
        return 0;
    }
    auto req = build_edit(args);
    const auto stem = result_stem(args, req.prompt); // a bad --name is refused before anything
    auto session = make_session(args);
    if (args.flag("stream"))
        return run_stream_command(
            args, session, stem,
            [req](openai::images images, error_info& info) -> boost::asio::awaitable<image_stream> {
                auto [ec, stream] = co_await images.edit_stream(
                    req, info, boost::asio::as_tuple(boost::asio::deferred));
                co_return std::move(stream);
            });
    return run_image_command(args, session, stem,
                             [&req](const openai::images& images, error_info& info) -> call_result {
                                 co_return co_await images.edit(
                                     req, info, boost::asio::as_tuple(boost::asio::use_awaitable));
                             });
}

int run_variation(const std::vector<std::string>& raw) {
    const parsed_arguments args(raw, variation_spec());
    if (args.flag("help")) {
        std::printf(variation_help, output_help, connection_help);
        return 0;
    }
    // Said once per run, on stderr (stdout may carry --json lines).
    std::fputs("note: variations are a legacy dall-e-2 endpoint (DALL-E 2 was retired on "
               "2026-05-12); the replacement is an edit: openai-images edit --image PATH "
               "--prompt \"a variation of this image\" --model gpt-image-2.5-flare\n",
               stderr);
    auto req = build_variation(args);
    const auto stem = result_stem(args, "variation " + req.image.path().stem().string());
    auto session = make_session(args);
    return run_image_command(args, session, stem,
                             [&req](const openai::images& images, error_info& info) -> call_result {
                                 co_return co_await images.create_variation(
                                     req, info, boost::asio::as_tuple(boost::asio::use_awaitable));
                             });
}

// For the command table (help, completions, man page).
option_spec edit_options() {
    return edit_spec();
}
std::string edit_help_text() {
    return format_help(edit_help, {output_help, stream_help, connection_help});
}
option_spec variation_options() {
    return variation_spec();
}
std::string variation_help_text() {
    return format_help(variation_help, {output_help, connection_help});
}

} // namespace openai::cli
