#include "image_command.hpp"

#include "output.hpp"
#include "preview_display.hpp"

#include <openai/client.hpp>
#include <openai/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <iostream>

namespace openai::cli {

namespace asio = boost::asio;
namespace fs = std::filesystem;

const char* const output_help =
    R"(output:
  --out DIR                  where images are written (default: current directory)
  --download                 fetch URL results (response_format=url) into --out as well
  --name STEM                file name stem (default: from the prompt and the time); a run that
                             finds STEM taken uses STEM-2, STEM-3, ... for all its files
  --keep-unknown             save a result that is no PNG, JPEG or WebP as STEM.bin instead of
                             failing (the extension always comes from the image's bytes)
  --preview MODE             show images in the terminal: auto (default: on a terminal, not
                             with --json, TERM=dumb or CI), on, off, blocks (Unicode half
                             blocks), or a protocol: kitty, iterm2, sixel
  --json                     one JSON object per line instead of text
)";

void add_output_options(option_spec& spec) {
    spec.valued.insert({"out", "name"});
    spec.flags.insert({"download", "keep-unknown"});
    preview::add_preview_options(spec);
}

std::string result_stem(const parsed_arguments& args, const std::string& prompt) {
    // Checked here too, so that a bad --preview is refused before anything starts.
    preview::parse_preview_mode(args.value("preview").value_or("auto"));
    if (auto name = args.value("name"))
        return checked_stem(*name);
    return file_stem(prompt);
}

namespace {

void print_json(const boost::json::object& line) {
    std::cout << boost::json::serialize(line) << '\n' << std::flush;
}

std::string first_bytes(const fs::path& file) {
    std::string head(16, '\0');
    std::ifstream in(file, std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head;
}

// The URL results, downloaded into `dir` under hidden names: the paths, in order (empty where a
// download failed, with `failure` set to its facts).
asio::awaitable<std::vector<fs::path>> download_all(const openai::client& client,
                                                    const images_response& response,
                                                    const fs::path& dir, const std::string& stem,
                                                    error_info& failure) {
    std::vector<fs::path> out;
    std::size_t index = 0;
    for (const auto& img : response.data) {
        if (!img.url)
            continue;
        const auto temp = dir / ("." + stem + ".download-" + std::to_string(index++));
        error_info info;
        auto [ec, r] =
            co_await client.download(*img.url, temp, info, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            failure = std::move(info);
            out.emplace_back();
        } else {
            out.push_back(r.path);
        }
    }
    co_return out;
}

} // namespace

std::string read_for_preview(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes;
    const std::size_t limit = (std::size_t{64} << 20) + 1; // the decoder refuses more
    bytes.resize(limit);
    in.read(bytes.data(), static_cast<std::streamsize>(limit));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    return bytes;
}

void report_not_an_image(const not_an_image& e, bool json) {
    if (json) {
        print_json({{"type", "error"}, {"error_code", "not_an_image"}, {"message", e.what()}});
    } else {
        std::cerr << "error: " << e.what() << '\n';
    }
}

int run_image_command(const parsed_arguments& args, session& s, const std::string& stem,
                      const image_call& call) {
    const fs::path out_dir = args.value("out").value_or(".");
    const bool download = args.flag("download");
    const bool keep_unknown = args.flag("keep-unknown");
    auto display = preview::display::from_arguments(args, s.json);
    if (download) {
        std::error_code ec;
        fs::create_directories(out_dir, ec);
        if (ec)
            throw std::runtime_error("cannot create directory '" + out_dir.string() +
                                     "': " + ec.message());
    }

    asio::io_context ioc;
    openai::client client(ioc.get_executor(), s.config);
    error_info info;
    images_response response;
    std::vector<fs::path> downloaded;
    error_info download_failure;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto [ec, r] = co_await call(client.images(), info);
            if (ec)
                co_return;
            response = std::move(r);
            if (download)
                downloaded =
                    co_await download_all(client, response, out_dir, stem, download_failure);
        },
        asio::detached);
    ioc.run();

    if (info) {
        if (s.json)
            print_json(error_line(info));
        else
            std::cerr << describe_error(info) << '\n';
        // Refused before sending (parameter rules, input files): a usage problem.
        const bool refused =
            info.attempts == 0 &&
            (info.code == errc::invalid_request || info.code == errc::unsupported_image_type ||
             info.code == errc::invalid_file_name || info.code == errc::file_unreadable);
        return refused ? 2 : 1;
    }

    // Taken stems move on to STEM-2, STEM-3, ... as streamed results do.
    const auto free = free_stem(out_dir, stem);
    std::vector<fs::path> files;
    std::size_t url_index = 0;
    try {
        for (const auto& img : response.data) {
            if (img.bytes) {
                const auto extension = extension_or_throw(*img.bytes, keep_unknown);
                auto path = write_new_file(out_dir, free, extension, *img.bytes);
                if (!s.json) {
                    std::cout << "wrote " << path.string() << " (" << img.bytes->size() << " bytes"
                              << (extension == "bin" ? ", not an image" : "") << ")\n"
                              << std::flush;
                    if (extension != "bin")
                        display.show(*img.bytes);
                }
                files.push_back(std::move(path));
            } else if (img.url) {
                if (!s.json)
                    std::cout << "url: " << *img.url << '\n';
                if (download && url_index < downloaded.size() && !downloaded[url_index].empty()) {
                    const auto& temp = downloaded[url_index];
                    const auto size = fs::file_size(temp);
                    const auto head = first_bytes(temp);
                    if (!image_extension(head) && !keep_unknown) {
                        fs::remove(temp);
                        throw not_an_image(head, size);
                    }
                    auto path =
                        claim_new_name(out_dir, stem, image_extension(head).value_or("bin"), temp);
                    if (!s.json) {
                        std::cout << "downloaded " << path.string() << " (" << size << " bytes)\n"
                                  << std::flush;
                        if (display.active() && image_extension(head))
                            display.show(read_for_preview(path));
                    }
                    files.push_back(std::move(path));
                }
                ++url_index;
            }
            if (img.revised_prompt && !s.json)
                std::cout << "revised prompt: " << *img.revised_prompt << '\n';
        }
    } catch (const not_an_image& e) {
        report_not_an_image(e, s.json);
        return 1;
    }
    if (s.json) {
        print_json(result_line(response, files));
    } else {
        if (response.usage)
            std::cout << "usage: " << count_text(response.usage->total_tokens) << " tokens ("
                      << count_text(response.usage->input_tokens) << " in, "
                      << count_text(response.usage->output_tokens) << " out)\n";
        if (!response.meta.request_id.empty())
            std::cout << "request id: " << response.meta.request_id << '\n';
    }
    if (download_failure) {
        if (s.json)
            print_json(error_line(download_failure));
        else
            std::cerr << describe_error(download_failure) << '\n';
        return 1;
    }
    return 0;
}

} // namespace openai::cli
