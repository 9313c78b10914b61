// `openai-images generate`: one generation request, its images written to --out.
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

const char* const generate_help =
    R"(usage: openai-images generate --prompt TEXT [OPTIONS]

request (the API's parameters; unset ones are left to the API's defaults):
  --prompt TEXT              what to draw (required)
  --model M                  gpt-image-2.5-flare, gpt-image-2.5-sunburst, gpt-image-2,
                             gpt-image-1.5, gpt-image-1, gpt-image-1-mini, chatgpt-image-latest,
                             a dated snapshot (MODEL-YYYY-MM-DD, e.g.
                             gpt-image-2.5-flare-2026-09-08: its base model's rules);
                             dall-e-2, dall-e-3 (retired 2026-05-12), ...
  --n N                      number of images, 1..10
  --size S                   1024x1024, 1536x1024, 1024x1536, auto, WxH (gpt-image-2, 2.5), ...
  --quality Q                auto, low, medium, high (GPT); xhigh, max (2.5 models);
                             standard, hd (dall-e-3)
  --background B             transparent, opaque, auto (GPT)
  --output-format F          png, jpeg, webp (GPT)
  --output-compression C     0..100, for jpeg and webp (GPT)
  --moderation M             low, auto (GPT)
  --style S                  vivid, natural (dall-e-3)
  --response-format R        url, b64_json (DALL-E)
  --user U                   an end-user id for abuse monitoring
  --partial-images K         with --stream: partial images to send first, 0..3 (GPT)

%s%s
%s)";

option_spec generate_spec() {
    option_spec spec;
    spec.valued = {"prompt",
                   "model",
                   "n",
                   "size",
                   "quality",
                   "background",
                   "output-format",
                   "output-compression",
                   "moderation",
                   "style",
                   "response-format",
                   "user"};
    spec.flags = {"help"};
    add_output_options(spec);
    add_stream_options(spec);
    add_session_options(spec);
    return spec;
}

generate_request build_request(const parsed_arguments& args) {
    generate_request req;
    auto prompt = args.value("prompt");
    if (!prompt)
        throw usage_error("generate needs --prompt TEXT");
    req.prompt = *prompt;
    read_shared_request_options(args, req);
    if (auto v = args.value("moderation"))
        req.moderation = *v;
    if (auto v = args.value("style"))
        req.style = *v;
    req.partial_images = partial_images_option(args);
    return req;
}

} // namespace

int run_generate(const std::vector<std::string>& raw) {
    const parsed_arguments args(raw, generate_spec());
    if (args.flag("help")) {
        std::printf(generate_help, output_help, stream_help, connection_help);
        return 0;
    }
    auto req = build_request(args);
    const auto stem = result_stem(args, req.prompt); // a bad --name is refused before anything
    auto session = make_session(args);
    if (args.flag("stream"))
        return run_stream_command(
            args, session, stem,
            [req](openai::images images, error_info& info) -> boost::asio::awaitable<image_stream> {
                auto [ec, stream] = co_await images.generate_stream(
                    req, info, boost::asio::as_tuple(boost::asio::deferred));
                co_return std::move(stream);
            });
    return run_image_command(
        args, session, stem,
        [&req](const openai::images& images, error_info& info)
            -> boost::asio::awaitable<std::tuple<boost::system::error_code, images_response>> {
            co_return co_await images.generate(req, info,
                                               boost::asio::as_tuple(boost::asio::use_awaitable));
        });
}

// For the command table (help, completions, man page).
option_spec generate_options() {
    return generate_spec();
}
std::string generate_help_text() {
    return format_help(generate_help, {output_help, stream_help, connection_help});
}

} // namespace openai::cli
