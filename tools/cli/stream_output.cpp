#include "stream_output.hpp"

#include "image_command.hpp"
#include "output.hpp"
#include "preview_display.hpp"

#include <openai/client.hpp>
#include <openai/error.hpp>
#include <openai/json.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>

#include <unistd.h>

namespace openai::cli {

namespace asio = boost::asio;

const char* const stream_help =
    R"(streaming (GPT models):
  --stream                   stream the result: partial images are written as they arrive
                             (NAME.partial-K.EXT), then the final image; with --json one line
                             per event; on a terminal a progress line on stderr
)";

void add_stream_options(option_spec& spec) {
    spec.valued.insert("partial-images");
    spec.flags.insert("stream");
}

std::optional<int> partial_images_option(const parsed_arguments& args) {
    auto v = args.integer("partial-images", -1000, 1000);
    if (v && !args.flag("stream"))
        throw usage_error("--partial-images needs --stream");
    return v;
}

namespace {

std::string human_bytes(std::uint64_t n) {
    char text[32];
    if (n < 1024)
        std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(n));
    else if (n < 1024 * 1024)
        std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(n) / 1024);
    else
        std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(n) / (1024 * 1024));
    return text;
}

// The event's JSON as the API sent it, without the image (which went to a file).
boost::json::object event_line(const image_event& ev, const std::filesystem::path& file) {
    auto line = to_json(ev);
    line.erase("b64_json");
    boost::json::object out{{"type", "event"}, {"event", event_type(ev)}};
    for (auto& [key, value] : line)
        if (key != "type")
            out[key] = value;
    out["file"] = file.string();
    out["bytes"] = image_bytes(ev).size();
    return out;
}

// Redraws "streaming: N events, X received" on stderr while the stream is open.
struct progress_line {
    const image_stream* stream;
    asio::steady_timer timer;
    bool active = true;
    std::size_t width = 0;

    void draw() {
        const auto p = stream->progress();
        std::string text = "streaming: " + std::to_string(p.events) +
                           (p.events == 1 ? " event, " : " events, ") +
                           human_bytes(p.bytes_received) + " received";
        const auto pad = width > text.size() ? width - text.size() : 0;
        width = text.size();
        std::cerr << '\r' << text << std::string(pad, ' ') << std::flush;
    }
    void clear() {
        if (width > 0)
            std::cerr << '\r' << std::string(width, ' ') << '\r' << std::flush;
        width = 0;
    }
};

asio::awaitable<void> redraw(std::shared_ptr<progress_line> line) {
    while (line->active) {
        line->draw();
        line->timer.expires_after(std::chrono::milliseconds(200));
        co_await line->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

// Stops the redraw loop however consume_stream() ends (a file that cannot be written throws).
struct progress_guard {
    std::shared_ptr<progress_line> line;
    ~progress_guard() {
        if (line) {
            line->active = false;
            line->timer.cancel();
            line->clear();
        }
    }
};

} // namespace

asio::awaitable<stream_result> consume_stream(image_stream& stream,
                                              const stream_output_options& options) {
    stream_result result;
    std::shared_ptr<progress_line> line;
    if (options.progress) {
        const auto executor = co_await asio::this_coro::executor;
        line =
            std::make_shared<progress_line>(progress_line{&stream, asio::steady_timer(executor)});
        asio::co_spawn(executor, redraw(line), asio::detached);
    }
    const progress_guard guard{line};
    for (;;) {
        auto [ec, ev] = co_await stream.next(result.error, asio::as_tuple(asio::use_awaitable));
        if (ec || !ev)
            break;
        if (const auto* unknown = std::get_if<unknown_event>(&*ev)) {
            // A type newer than this program: no image to write. --json prints it as it came.
            if (line)
                line->clear();
            if (options.json)
                std::cout << boost::json::serialize(boost::json::object{{"type", "unknown_event"},
                                                                        {"event", unknown->type},
                                                                        {"data", unknown->data}})
                          << '\n'
                          << std::flush;
            else
                std::cout << "skipped an event of unknown type '" << unknown->type << "'\n"
                          << std::flush;
            if (line)
                line->draw();
            continue;
        }
        const auto index = partial_image_index(*ev);
        const auto stem =
            index ? options.stem + ".partial-" + std::to_string(*index) : options.stem;
        const auto extension = extension_or_throw(image_bytes(*ev), options.keep_unknown);
        const auto path = write_new_file(options.out_dir, stem, extension, image_bytes(*ev));
        result.files.push_back(path);
        if (is_completed(*ev))
            result.completed = true;
        if (line)
            line->clear();
        const bool show = !options.json && options.display != nullptr && extension != "bin";
        if (show)
            options.display->erase_replaceable(); // the previous partial image's preview
        if (options.json) {
            auto out = event_line(*ev, path);
            if (is_completed(*ev))
                out["request_id"] = stream.metadata().request_id;
            std::cout << boost::json::serialize(out) << '\n' << std::flush;
        } else {
            std::cout << "wrote " << path.string() << " (" << image_bytes(*ev).size() << " bytes"
                      << (index ? ", partial image " + std::to_string(*index) : std::string())
                      << (extension == "bin" ? ", not an image" : "") << ")\n"
                      << std::flush;
            if (show)
                options.display->show(image_bytes(*ev), /*replaceable=*/index.has_value());
            if (const auto* usage = event_usage(*ev))
                std::cout << "usage: " << count_text(usage->total_tokens) << " tokens ("
                          << count_text(usage->input_tokens) << " in, "
                          << count_text(usage->output_tokens) << " out)\n";
        }
        if (line)
            line->draw();
    }
    co_return result;
}

int run_stream_command(const parsed_arguments& args, const session& s, const std::string& stem,
                       stream_opener open) {
    auto display = preview::display::from_arguments(args, s.json);
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), s.config);
    stream_output_options options;
    options.out_dir = args.value("out").value_or(".");
    // One stem for the partial images and the final one, chosen before the first is written.
    options.stem = free_stem(options.out_dir, stem);
    options.json = s.json;
    options.progress = !s.json && ::isatty(STDERR_FILENO) == 1;
    options.keep_unknown = args.flag("keep-unknown");
    if (display.active())
        options.display = &display;
    error_info open_error;
    stream_result result;
    std::string request_id;
    std::exception_ptr failure;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto stream = co_await open(client.images(), open_error);
            if (open_error || !stream.valid())
                co_return;
            request_id = stream.metadata().request_id;
            result = co_await consume_stream(stream, options);
        },
        [&](std::exception_ptr e) { failure = e; });
    ioc.run();
    if (failure) {
        try {
            std::rethrow_exception(failure); // e.g. a file that could not be written
        } catch (const not_an_image& e) {
            report_not_an_image(e, s.json);
            return 1;
        }
    }
    const error_info& error = open_error ? open_error : result.error;
    if (error) {
        if (s.json)
            std::cout << boost::json::serialize(error_line(error)) << '\n' << std::flush;
        else
            std::cerr << describe_error(error) << '\n';
        // Refused before sending (parameter rules): a usage problem.
        return error.code == errc::invalid_request && error.http_status == 0 ? 2 : 1;
    }
    if (!s.json && !request_id.empty())
        std::cout << "request id: " << request_id << '\n';
    return 0;
}

} // namespace openai::cli
