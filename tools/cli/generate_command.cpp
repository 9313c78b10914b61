// `openai-images generate`: one generation request, its images written to --out.
#include "arguments.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "session.hpp"
#include "stream_output.hpp"

#include <openai/client.hpp>
#include <openai/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <iostream>

namespace openai::cli {
namespace {

const char* const generate_help =
    R"(usage: openai-images generate --prompt TEXT [OPTIONS]

request (the API's parameters; unset ones are left to the API's defaults):
  --prompt TEXT              what to draw (required)
  --model M                  gpt-image-1, gpt-image-1-mini, gpt-image-1.5, gpt-image-2,
                             dall-e-2, dall-e-3, ...
  --n N                      number of images, 1..10
  --size S                   1024x1024, 1536x1024, 1024x1536, auto, WxH (gpt-image-2), ...
  --quality Q                auto, low, medium, high (GPT); standard, hd (dall-e-3)
  --background B             transparent, opaque, auto (GPT)
  --output-format F          png, jpeg, webp (GPT)
  --output-compression C     0..100, for jpeg and webp (GPT)
  --moderation M             low, auto (GPT)
  --style S                  vivid, natural (dall-e-3)
  --response-format R        url, b64_json (DALL-E)
  --user U                   an end-user id for abuse monitoring
  --partial-images K         with --stream: partial images to send first, 0..3 (GPT)

output:
  --out DIR                  where images are written (default: current directory)
  --json                     one JSON object per line instead of text
  --stream                   stream the generation (GPT): partial images are written as they
                             arrive (NAME.partial-K.EXT), then the final image; with --json one
                             line per event

connection:
  --base-url URL             API base URL (default: OPENAI_BASE_URL or https://api.openai.com/v1)
  --ca-file PEM              trust this CA bundle instead of the system store
  --timeout SECONDS          per-attempt request timeout (default 600)
  --max-retries N            retries on connection errors, 408, 409, 429, 5xx (default 2)
  --no-validate              send without checking the API's parameter rules first
  --emulator                 run against a local emulator started in this process
)";

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
                   "user",
                   "out",
                   "partial-images"};
    spec.flags = {"help", "stream"};
    add_session_options(spec);
    return spec;
}

generate_request build_request(const parsed_arguments& args) {
    generate_request req;
    auto prompt = args.value("prompt");
    if (!prompt)
        throw usage_error("generate needs --prompt TEXT");
    req.prompt = *prompt;
    if (auto v = args.value("model"))
        req.model = *v;
    if (auto v = args.integer("n", -1000, 1000))
        req.n = *v;
    if (auto v = args.value("size"))
        req.size = *v;
    if (auto v = args.value("quality"))
        req.quality = *v;
    if (auto v = args.value("background"))
        req.background = *v;
    if (auto v = args.value("output-format"))
        req.output_format = *v;
    if (auto v = args.integer("output-compression", -1000, 1000))
        req.output_compression = *v;
    if (auto v = args.value("moderation"))
        req.moderation = *v;
    if (auto v = args.value("style"))
        req.style = *v;
    if (auto v = args.value("response-format"))
        req.response_format = *v;
    if (auto v = args.value("user"))
        req.user = *v;
    if (auto v = args.integer("partial-images", -1000, 1000)) {
        if (!args.flag("stream"))
            throw usage_error("--partial-images needs --stream");
        req.partial_images = *v;
    }
    return req;
}

void print_json(const boost::json::object& line) {
    std::cout << boost::json::serialize(line) << '\n' << std::flush;
}

int report_failure(const error_info& info, bool json) {
    if (json)
        print_json(error_line(info));
    else
        std::cerr << describe_error(info) << '\n';
    // Refused before sending (parameter rules): a usage problem.
    return info.code == errc::invalid_request && info.http_status == 0 ? 2 : 1;
}

} // namespace

int run_generate(const std::vector<std::string>& raw) {
    const parsed_arguments args(raw, generate_spec());
    if (args.flag("help")) {
        std::fputs(generate_help, stdout);
        return 0;
    }
    auto req = build_request(args);
    auto session = make_session(args);
    const std::filesystem::path out_dir = args.value("out").value_or(".");
    if (args.flag("stream"))
        return run_stream_command(
            session, req.prompt, out_dir,
            [req](openai::images images, error_info& info) -> boost::asio::awaitable<image_stream> {
                auto [ec, stream] = co_await images.generate_stream(
                    req, info, boost::asio::as_tuple(boost::asio::deferred));
                co_return std::move(stream);
            });

    boost::asio::io_context ioc;
    openai::client client(ioc.get_executor(), session.config);
    error_info info;
    images_response response;
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
            auto [ec, r] = co_await client.images().generate(
                req, info, boost::asio::as_tuple(boost::asio::deferred));
            if (!ec)
                response = std::move(r);
        },
        boost::asio::detached);
    ioc.run();

    if (info)
        return report_failure(info, session.json);

    std::vector<std::filesystem::path> files;
    const auto stem = file_stem(req.prompt);
    for (const auto& img : response.data) {
        if (img.bytes) {
            auto path =
                write_new_file(out_dir, stem, image_extension(*img.bytes, response), *img.bytes);
            if (!session.json)
                std::cout << "wrote " << path.string() << " (" << img.bytes->size() << " bytes)\n";
            files.push_back(std::move(path));
        } else if (img.url && !session.json) {
            std::cout << "url: " << *img.url << '\n';
        }
        if (img.revised_prompt && !session.json)
            std::cout << "revised prompt: " << *img.revised_prompt << '\n';
    }
    if (session.json) {
        print_json(result_line(response, files));
    } else {
        if (response.usage)
            std::cout << "usage: " << response.usage->total_tokens << " tokens ("
                      << response.usage->input_tokens << " in, " << response.usage->output_tokens
                      << " out)\n";
        if (!response.meta.request_id.empty())
            std::cout << "request id: " << response.meta.request_id << '\n';
    }
    return 0;
}

} // namespace openai::cli
