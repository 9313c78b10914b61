// Hand-written streams through the raw server (no shared data needed): every outcome of
// image_stream::next(), the connection's fate, backpressure, idle timeout, event size limits,
// concurrent next(), close(), destruction and cancellation, and save_image().
#include "codec/base64.hpp"
#include "stream_test_support.hpp"

#include <openai/error.hpp>
#include <openai/json.hpp>
#include <openai/save_image.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <sys/stat.h>

namespace asio = boost::asio;
using namespace openai::test;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using framing = canned_response::framing;

namespace {

std::string sse(const std::string& type, const std::string& data) {
    return "event: " + type + "\ndata: " + data + "\n\n";
}

std::string image_json(const std::string& type, const std::string& bytes, int index = -1) {
    std::string j = R"({"type":")" + type + R"(","b64_json":")" +
                    openai::codec::base64_encode(bytes) +
                    R"(","created_at":1700000000,"size":"1024x1024","quality":"low",)"
                    R"("background":"opaque","output_format":"png")";
    if (index >= 0)
        j += R"(,"partial_image_index":)" + std::to_string(index);
    else
        j += R"(,"usage":{"total_tokens":30,"input_tokens":10,"output_tokens":20,)"
             R"("input_tokens_details":{"text_tokens":10,"image_tokens":0}})";
    return j + "}";
}

std::string partial(const std::string& bytes, int index,
                    const std::string& family = "image_generation") {
    const auto type = family + ".partial_image";
    return sse(type, image_json(type, bytes, index));
}

std::string completed(const std::string& bytes, const std::string& family = "image_generation") {
    const auto type = family + ".completed";
    return sse(type, image_json(type, bytes));
}

std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng());
    return s;
}

// Serves `pieces` under a fresh name and returns the options that ask for them.
openai::request_options serve_pieces(raw_stream_server& server, std::vector<std::string> pieces,
                                     framing frame = framing::chunked,
                                     std::chrono::milliseconds pause = 1ms) {
    static int counter = 0;
    const auto name = "case-" + std::to_string(++counter);
    canned_response r;
    r.frame = frame;
    r.pause = pause;
    r.request_id = "req_" + name;
    for (auto& p : pieces)
        r.add(std::move(p));
    server.add(name, std::move(r));
    return serve(name);
}

} // namespace

BOOST_AUTO_TEST_SUITE(stream_cases)

BOOST_AUTO_TEST_CASE(partials_then_completed_and_the_connection_is_reused) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    const auto p0 = random_bytes(300, 1), p1 = random_bytes(400, 2), fin = random_bytes(500, 3);
    auto options = serve_pieces(server, {partial(p0, 0), partial(p1, 1), completed(fin)});
    for (int round = 0; round < 2; ++round) {
        auto r = run(ioc, drain_generation(client.images(), gpt_request(2), options));
        BOOST_TEST_REQUIRE(r.opened, r.error.message);
        BOOST_TEST(!r.error, r.error.message);
        BOOST_TEST(r.clean_end);
        BOOST_TEST_REQUIRE(r.events.size() == 3u);
        BOOST_TEST(std::holds_alternative<openai::image_gen_partial_image_event>(r.events[0]));
        BOOST_TEST(openai::image_bytes(r.events[0]) == p0);
        BOOST_TEST(*openai::partial_image_index(r.events[1]) == 1);
        BOOST_TEST(openai::image_bytes(r.events[1]) == p1);
        BOOST_TEST(std::holds_alternative<openai::image_gen_completed_event>(r.events[2]));
        BOOST_TEST(openai::image_bytes(r.events[2]) == fin);
        BOOST_TEST((openai::event_usage(r.events[2])->total_tokens == 30));
        BOOST_TEST(r.meta.request_id.starts_with("req_case-"));
        BOOST_TEST(client.stats().connections_idle == 1u);
        BOOST_TEST(client.stats().connections_in_use == 0u);
    }
    BOOST_TEST(client.stats().connections_created == 1u); // the second stream reused it
    BOOST_TEST(server.connections_accepted() == 1u);
    // What went out: stream=true and the partial_images asked for.
    const auto body = boost::json::parse(server.last_body());
    BOOST_TEST(body.at("stream").as_bool());
    BOOST_TEST(body.at("partial_images").as_int64() == 2);
    BOOST_TEST(server.last_target() == "/v1/images/generations");
}

BOOST_AUTO_TEST_CASE(edit_events_and_an_edit_request) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    const auto p0 = random_bytes(100, 4), fin = random_bytes(200, 5);
    openai::edit_request req;
    req.prompt = "edit";
    req.model = "gpt-image-1";
    req.images.push_back(openai::image_reference::url("https://example.com/a.png"));
    req.partial_images = 1;
    auto r = run(ioc, drain_edit(client.images(), req,
                                 serve_pieces(server, {partial(p0, 0, "image_edit"),
                                                       completed(fin, "image_edit")})));
    BOOST_TEST_REQUIRE(r.events.size() == 2u, r.error.message);
    BOOST_TEST(std::holds_alternative<openai::image_edit_partial_image_event>(r.events[0]));
    BOOST_TEST(std::holds_alternative<openai::image_edit_completed_event>(r.events[1]));
    BOOST_TEST(openai::image_bytes(r.events[1]) == fin);
    BOOST_TEST(r.clean_end);
    BOOST_TEST(server.last_target() == "/v1/images/edits");
    BOOST_TEST(boost::json::parse(server.last_body()).at("stream").as_bool());
}

BOOST_AUTO_TEST_CASE(unknown_events_reach_the_caller_comments_and_blank_data_are_skipped) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    const auto fin = random_bytes(64, 6);
    const auto progress = random_bytes(16, 7);
    auto r = run(
        ioc, drain_generation(
                 client.images(), gpt_request(),
                 serve_pieces(server,
                              {": keep-alive\n\n",
                               sse("image_generation.heartbeat",
                                   R"({"type":"image_generation.heartbeat","sequence_number":4})"),
                               "event: ping\ndata:\n\n", "retry: 10\n\n",
                               sse("image_generation.preview",
                                   R"({"type":"image_generation.preview","b64_json":")" +
                                       openai::codec::base64_encode(progress) + R"(","step":2})"),
                               completed(fin)})));
    BOOST_TEST(!r.error, r.error.message);
    BOOST_TEST_REQUIRE(r.events.size() == 3u);
    // Types newer than the library arrive as unknown_event, with their data whole.
    const auto* heartbeat = std::get_if<openai::unknown_event>(&r.events[0]);
    BOOST_TEST_REQUIRE(heartbeat != nullptr);
    BOOST_TEST(heartbeat->type == "image_generation.heartbeat");
    BOOST_TEST(heartbeat->data.at("sequence_number").to_number<int>() == 4);
    BOOST_TEST(openai::event_type(r.events[0]) == "image_generation.heartbeat");
    BOOST_TEST(openai::is_unknown(r.events[0]));
    BOOST_TEST(!openai::is_partial(r.events[0]));
    BOOST_TEST(!openai::is_completed(r.events[0]));
    BOOST_TEST(openai::image_bytes(r.events[0]).empty());
    const auto* preview = std::get_if<openai::unknown_event>(&r.events[1]);
    BOOST_TEST_REQUIRE(preview != nullptr);
    // Its b64_json keeps the base64 text (the parser decoded it aside; it is put back).
    BOOST_TEST(preview->data.at("b64_json").as_string() == openai::codec::base64_encode(progress));
    BOOST_TEST(preview->data.at("step").to_number<int>() == 2);
    BOOST_TEST(openai::image_bytes(r.events[2]) == fin);
    BOOST_TEST(r.clean_end);
}

BOOST_AUTO_TEST_CASE(unary_unknown_members_reach_the_caller_and_absent_is_not_zero) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    const auto png = random_bytes(40, 9);
    // No "created"; usage with a zero count and absent ones; members newer than the library.
    const std::string body =
        R"({"data":[{"b64_json":")" + openai::codec::base64_encode(png) +
        R"(","content_filter":{"flagged":false}}],"output_format":"png",)"
        R"("usage":{"total_tokens":0,"input_tokens_details":{"text_tokens":0}},)"
        R"("billing":{"tier":"flare"},"system_fingerprint":"fp_1"})";
    static int counter = 0;
    for (bool keep : {false, true}) {
        BOOST_TEST_CONTEXT("keep " << keep) {
            const auto name = "unary-" + std::to_string(++counter);
            canned_response c;
            c.content_type = "application/json";
            c.frame = framing::length;
            c.add(body);
            server.add(name, std::move(c));
            auto options = serve(name);
            options.keep_unknown_fields = keep;
            openai::generate_request req = gpt_request();
            req.partial_images.reset();
            auto r = run(ioc, client.images().generate(req, options, asio::use_awaitable));
            BOOST_TEST_REQUIRE(r.data.size() == 1u);
            BOOST_TEST(*r.data[0].bytes == png);
            BOOST_TEST(!r.created.has_value()); // absent, not 0
            BOOST_TEST_REQUIRE(r.usage.has_value());
            BOOST_TEST((r.usage->total_tokens == 0)); // sent as 0
            BOOST_TEST(!r.usage->input_tokens.has_value());
            BOOST_TEST(!r.usage->output_tokens.has_value());
            BOOST_TEST((r.usage->input_tokens_details.text_tokens == 0));
            BOOST_TEST(!r.usage->input_tokens_details.image_tokens.has_value());
            if (keep) {
                BOOST_TEST(r.unknown_fields.size() == 2u);
                BOOST_TEST(r.unknown_fields.at("billing").at("tier").as_string() == "flare");
                BOOST_TEST(r.unknown_fields.at("system_fingerprint").as_string() == "fp_1");
                BOOST_TEST(r.data[0].unknown_fields.at("content_filter").at("flagged").as_bool() ==
                           false);
                // Encoding gives the members back as they came.
                const auto again = openai::to_json(r);
                BOOST_TEST(again.at("billing").at("tier").as_string() == "flare");
                BOOST_TEST(!again.contains("created"));
                BOOST_TEST(!again.at("usage").as_object().contains("input_tokens"));
            } else {
                BOOST_TEST(r.unknown_fields.empty());
                BOOST_TEST(r.data[0].unknown_fields.empty());
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_event_members_are_kept_when_asked) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    const auto fin = random_bytes(64, 8);
    auto json = image_json("image_generation.completed", fin);
    json.insert(json.size() - 1, R"(,"moderation_score":0.25,"seed":{"value":7})");
    const std::vector<std::string> pieces = {sse("image_generation.completed", json)};
    for (bool keep : {false, true}) {
        BOOST_TEST_CONTEXT("keep " << keep) {
            auto options = serve_pieces(server, pieces);
            options.keep_unknown_fields = keep;
            auto r = run(ioc, drain_generation(client.images(), gpt_request(), options));
            BOOST_TEST_REQUIRE(r.events.size() == 1u, r.error.message);
            const auto& unknown = openai::unknown_fields(r.events[0]);
            if (keep) {
                BOOST_TEST(unknown.size() == 2u);
                BOOST_TEST(unknown.at("moderation_score").as_double() == 0.25);
                BOOST_TEST(unknown.at("seed").at("value").to_number<int>() == 7);
            } else {
                BOOST_TEST(unknown.empty());
            }
            BOOST_TEST(openai::image_bytes(r.events[0]) == fin);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_three_error_shapes) {
    raw_stream_server server;
    const std::vector<std::pair<std::string, std::string>> shapes = {
        {"event: error\ndata: "
         R"({"error":{"message":"nested","type":"image_generation_user_error","param":"prompt","code":"moderation_blocked"}})"
         "\n\n",
         "nested"},
        {"data: "
         R"({"error":{"message":"data only","type":"server_error","param":null,"code":null}})"
         "\n\n",
         "data only"},
        {"event: error\ndata: "
         R"({"type":"error","code":"server_error","message":"flat","param":null,"sequence_number":3})"
         "\n\n",
         "flat"},
        {"data: "
         R"({"type":"error","code":"server_error","message":"flat without the event name","param":null})"
         "\n\n",
         "flat without the event name"},
    };
    for (const auto& [text, message] : shapes) {
        BOOST_TEST_CONTEXT(message) {
            asio::io_context ioc;
            openai::client client(ioc.get_executor(), config_for(server));
            auto options = serve_pieces(server, {partial("x", 0), text, completed("y")});
            auto r = run(ioc, drain_generation(client.images(), gpt_request(1), options));
            BOOST_TEST(r.events.size() == 1u);
            BOOST_TEST(r.error.code == openai::errc::stream_error_event);
            BOOST_TEST_REQUIRE(r.error.api.has_value());
            BOOST_TEST(*r.error.api->message == message);
            BOOST_TEST(r.error.message.find(message) != std::string::npos);
            BOOST_TEST(r.error.request_id.starts_with("req_case-"));
            BOOST_TEST(r.error.http_status == 200);
            BOOST_TEST(!r.clean_end);
            BOOST_TEST(client.stats().connections_idle == 0u);
            BOOST_TEST(client.stats().connections_in_use == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(an_error_event_without_json_is_still_an_error) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    auto r =
        run(ioc, drain_generation(client.images(), gpt_request(),
                                  serve_pieces(server, {"event: error\ndata: overloaded\n\n"})));
    BOOST_TEST(r.error.code == openai::errc::stream_error_event);
    BOOST_TEST_REQUIRE(r.error.api.has_value());
    BOOST_TEST(r.error.api->message->find("overloaded") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(events_that_are_not_the_apis_fail_clearly) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    auto r = run(ioc, drain_generation(client.images(), gpt_request(),
                                       serve_pieces(server, {"data: hello there\n\n"})));
    BOOST_TEST(r.error.code == openai::errc::invalid_json);
    BOOST_TEST(r.error.message.find("event 1") != std::string::npos, r.error.message);
    BOOST_TEST(r.error.message.find("'message'") != std::string::npos, r.error.message);

    r = run(ioc,
            drain_generation(
                client.images(), gpt_request(),
                serve_pieces(server,
                             {sse("image_generation.completed",
                                  R"({"type":"image_generation.completed","b64_json":"@@@@"})")})));
    BOOST_TEST(r.error.code == openai::errc::invalid_base64);
    BOOST_TEST(r.error.message.find("b64_json") != std::string::npos, r.error.message);

    r = run(
        ioc,
        drain_generation(
            client.images(), gpt_request(),
            serve_pieces(
                server,
                {sse(
                    "image_generation.partial_image",
                    R"({"type":"image_generation.partial_image","b64_json":"AAAA","partial_image_index":"one"})")})));
    BOOST_TEST(r.error.code == openai::errc::json_type_mismatch);
    BOOST_TEST(r.error.message.find("partial_image_index") != std::string::npos, r.error.message);
    BOOST_TEST(client.stats().connections_idle == 0u);
}

BOOST_AUTO_TEST_CASE(endings_without_a_completed_event) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    // A whole body, with an unfinished block at the end (discarded).
    auto r =
        run(ioc, drain_generation(client.images(), gpt_request(1),
                                  serve_pieces(server, {partial("a", 0), "event: image_gen"})));
    BOOST_TEST(r.events.size() == 1u);
    BOOST_TEST(r.error.code == openai::errc::stream_truncated);
    BOOST_TEST(r.error.message.find("1 image event") != std::string::npos, r.error.message);
    // An empty body.
    r = run(ioc, drain_generation(client.images(), gpt_request(), serve_pieces(server, {})));
    BOOST_TEST(r.events.empty());
    BOOST_TEST(r.error.code == openai::errc::stream_truncated);
    // A Content-Length body that stops short.
    r = run(ioc, drain_generation(client.images(), gpt_request(1),
                                  serve_pieces(server, {partial("a", 0)}, framing::length_cut)));
    BOOST_TEST(r.events.size() == 1u);
    BOOST_TEST(r.error.code == openai::errc::truncated_body, r.error.message);
    // [DONE] before any completed event.
    r = run(ioc, drain_generation(client.images(), gpt_request(1),
                                  serve_pieces(server, {partial("a", 0), "data: [DONE]\n\n"})));
    BOOST_TEST(r.error.code == openai::errc::stream_truncated);
    BOOST_TEST(r.error.message.find("[DONE]") != std::string::npos);
    BOOST_TEST(client.stats().connections_idle == 0u);
    // [DONE] after the completed event ends it cleanly.
    r = run(ioc, drain_generation(client.images(), gpt_request(),
                                  serve_pieces(server, {completed("z"), "data: [DONE]\n\n"})));
    BOOST_TEST(!r.error, r.error.message);
    BOOST_TEST(r.clean_end);
    BOOST_TEST(r.events.size() == 1u);
}

BOOST_AUTO_TEST_CASE(after_the_end_next_keeps_yielding_nullopt_and_errors_stick) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    auto ok = serve_pieces(server, {completed("z")});
    auto bad = serve_pieces(server, {"data: nope\n\n"});
    run(ioc, [&]() -> asio::awaitable<void> {
        auto stream =
            co_await client.images().generate_stream(gpt_request(), ok, asio::use_awaitable);
        auto ev = co_await stream.next(asio::use_awaitable);
        BOOST_TEST(ev.has_value());
        for (int i = 0; i < 3; ++i) {
            auto end = co_await stream.next(asio::use_awaitable);
            BOOST_TEST(!end.has_value());
        }

        // The throwing flavour: request_error with the code and facts.
        auto failing =
            co_await client.images().generate_stream(gpt_request(), bad, asio::use_awaitable);
        try {
            co_await failing.next(asio::use_awaitable);
            BOOST_FAIL("next() should have thrown");
        } catch (const openai::request_error& e) {
            BOOST_TEST(e.code() == openai::errc::invalid_json);
            BOOST_TEST(e.request_id().starts_with("req_case-"));
        }
        openai::error_info info;
        auto [ec, again] = co_await failing.next(info, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == openai::errc::stream_closed);
        BOOST_TEST(info.message.find("already ended") != std::string::npos, info.message);
        BOOST_TEST(!again.has_value());
    }());
}

BOOST_AUTO_TEST_CASE(a_stream_stopped_at_the_completed_event_still_returns_its_connection) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    // One piece holding the completed event and (chunked) the end of the body soon after.
    auto options = serve_pieces(server, {completed("z")}, framing::length);
    run(ioc, [&]() -> asio::awaitable<void> {
        auto stream =
            co_await client.images().generate_stream(gpt_request(), options, asio::use_awaitable);
        auto ev = co_await stream.next(asio::use_awaitable);
        BOOST_TEST(openai::is_completed(*ev));
        // No further next(): the body had ended with that event, so the connection went back.
    }());
    BOOST_TEST(client.stats().connections_idle == 1u);
    BOOST_TEST(client.stats().connections_in_use == 0u);
}

BOOST_AUTO_TEST_CASE(large_events_pass_and_the_size_limit_bites) {
    raw_stream_server server;
    // About a 4K PNG's worth: 6 MB of image, 8 MB of base64 in one data line.
    const auto big = random_bytes(6 * 1024 * 1024, 7);
    const auto event = completed(big);
    std::vector<std::string> pieces;
    for (std::size_t at = 0; at < event.size(); at += 256 * 1024)
        pieces.push_back(event.substr(at, 256 * 1024));
    {
        asio::io_context ioc;
        openai::client client(ioc.get_executor(), config_for(server));
        auto r = run(ioc, drain_generation(client.images(), gpt_request(),
                                           serve_pieces(server, pieces, framing::chunked, 0ms)));
        BOOST_TEST(!r.error, r.error.message);
        BOOST_TEST_REQUIRE(r.events.size() == 1u);
        BOOST_TEST((openai::image_bytes(r.events[0]) == big));
    }
    {
        asio::io_context ioc;
        auto config = config_for(server);
        config.max_event_size = 1024 * 1024;
        openai::client client(ioc.get_executor(), config);
        auto r = run(ioc, drain_generation(client.images(), gpt_request(),
                                           serve_pieces(server, pieces, framing::chunked, 0ms)));
        BOOST_TEST(r.error.code == openai::errc::event_too_large);
        BOOST_TEST(r.error.message.find("1048576") != std::string::npos, r.error.message);
        BOOST_TEST(client.stats().connections_idle == 0u);
        BOOST_TEST(client.stats().connections_in_use == 0u);
    }
}

BOOST_AUTO_TEST_CASE(nothing_is_read_before_next_asks) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    // A small first event, then 64 MB the client never asks for.
    std::vector<std::string> pieces{partial("first", 0)};
    const std::string filler(64 * 1024, ':');
    std::string comment_block = filler;
    comment_block.back() = '\n';
    for (int i = 0; i < 1024; ++i)
        pieces.push_back(comment_block);
    pieces.push_back(completed("last"));
    auto options = serve_pieces(server, pieces, framing::chunked, 0ms);
    run(ioc, [&]() -> asio::awaitable<void> {
        auto stream =
            co_await client.images().generate_stream(gpt_request(1), options, asio::use_awaitable);
        auto ev = co_await stream.next(asio::use_awaitable);
        BOOST_TEST(openai::image_bytes(*ev) == "first");
        asio::steady_timer pause(co_await asio::this_coro::executor, 300ms);
        co_await pause.async_wait(asio::use_awaitable);
        // The server is stuck on a full socket; we read at most a chunk past the event.
        BOOST_TEST(stream.progress().bytes_received <= 64u * 1024u);
        BOOST_TEST(stream.progress().events == 1u);
        BOOST_TEST(server.bytes_written() < 32u * 1024u * 1024u);
        BOOST_TEST_MESSAGE("server wrote " << server.bytes_written() << " bytes, client read "
                                           << stream.progress().bytes_received);
        stream.close();
        BOOST_TEST(!stream.valid());
    }());
    BOOST_TEST(client.stats().connections_in_use == 0u);
    BOOST_TEST(client.stats().connections_idle == 0u);
}

BOOST_AUTO_TEST_CASE(idle_timeout_per_read_not_per_stream) {
    raw_stream_server server;
    // 6 pieces 80 ms apart: longer than the request timeout in total, never idle for long.
    std::vector<std::string> pieces;
    for (int i = 0; i < 3; ++i)
        pieces.push_back(partial("p", i));
    const auto fin = completed("done");
    pieces.push_back(fin.substr(0, 40));
    pieces.push_back(fin.substr(40, 40));
    pieces.push_back(fin.substr(80));
    {
        asio::io_context ioc;
        auto config = config_for(server);
        config.timeouts.request = 200ms; // covers the opening only
        config.timeouts.stream_idle = 400ms;
        openai::client client(ioc.get_executor(), config);
        auto r = run(ioc, drain_generation(client.images(), gpt_request(3),
                                           serve_pieces(server, pieces, framing::chunked, 80ms)));
        BOOST_TEST(!r.error, r.error.message);
        BOOST_TEST(r.events.size() == 4u);
    }
    {
        asio::io_context ioc;
        auto config = config_for(server);
        config.timeouts.stream_idle = 150ms;
        openai::client client(ioc.get_executor(), config);
        const auto start = std::chrono::steady_clock::now();
        auto r = run(ioc, drain_generation(client.images(), gpt_request(1),
                                           serve_pieces(server, {partial("p", 0)}, framing::hang)));
        const auto took = std::chrono::steady_clock::now() - start;
        BOOST_TEST(r.events.size() == 1u);
        BOOST_TEST(r.error.code == openai::errc::stream_idle_timeout, r.error.message);
        BOOST_TEST(r.error.request_id.starts_with("req_case-"));
        BOOST_TEST((took >= 150ms));
        BOOST_TEST((took < 5s));
        BOOST_TEST(client.stats().connections_idle == 0u);
        BOOST_TEST(client.stats().connections_in_use == 0u);
    }
    {
        // Per-call options override the client's idle timeout.
        asio::io_context ioc;
        openai::client client(ioc.get_executor(), config_for(server));
        auto options = serve_pieces(server, {partial("p", 0)}, framing::hang);
        options.timeouts = openai::timeouts{};
        options.timeouts->stream_idle = 100ms;
        auto r = run(ioc, drain_generation(client.images(), gpt_request(1), options));
        BOOST_TEST(r.error.code == openai::errc::stream_idle_timeout, r.error.message);
    }
}

BOOST_AUTO_TEST_CASE(a_second_concurrent_next_is_refused_later_not_inline) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    auto options = serve_pieces(server, {partial("p", 0)}, framing::hang);
    bool second_called = false, returned = false, first_done = false;
    boost::system::error_code first_ec, second_ec;
    openai::error_info first_info, second_info;
    run(ioc, [&]() -> asio::awaitable<void> {
        auto stream =
            co_await client.images().generate_stream(gpt_request(1), options, asio::use_awaitable);
        co_await stream.next(asio::use_awaitable); // the partial image
        stream.next(first_info,
                    [&](boost::system::error_code ec, std::optional<openai::image_event>) {
                        first_ec = ec;
                        first_done = true;
                    });
        stream.next(second_info,
                    [&](boost::system::error_code ec, std::optional<openai::image_event>) {
                        BOOST_TEST(returned); // not inside the initiating call
                        second_called = true;
                        second_ec = ec;
                    });
        returned = true;
        asio::steady_timer pause(co_await asio::this_coro::executor, 50ms);
        co_await pause.async_wait(asio::use_awaitable);
        BOOST_TEST(second_called);
        BOOST_TEST(!first_done); // the first one is undisturbed
        stream.close();          // ends the pending one
        pause.expires_after(50ms);
        co_await pause.async_wait(asio::use_awaitable);
    }());
    BOOST_TEST(second_ec == openai::errc::concurrent_next);
    BOOST_TEST(second_info.message.find("pending") != std::string::npos);
    BOOST_TEST(first_done);
    BOOST_TEST(first_ec == openai::errc::stream_closed);
    BOOST_TEST(client.stats().connections_in_use == 0u);
    BOOST_TEST(client.stats().connections_idle == 0u);
}

BOOST_AUTO_TEST_CASE(close_and_destruction) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    auto options = serve_pieces(server, {partial("a", 0), partial("b", 1), completed("c")},
                                framing::chunked, 20ms);
    run(ioc, [&]() -> asio::awaitable<void> {
        // close() between events: the connection is closed at once, not pooled.
        auto stream =
            co_await client.images().generate_stream(gpt_request(2), options, asio::use_awaitable);
        co_await stream.next(asio::use_awaitable);
        stream.close();
        BOOST_TEST(client.stats().connections_in_use == 0u);
        BOOST_TEST(client.stats().connections_idle == 0u);
        openai::error_info info;
        auto [ec, ev] = co_await stream.next(info, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == openai::errc::stream_closed);
        stream.close(); // idempotent

        // A moved-from stream is closed; the moved-to one works.
        auto a =
            co_await client.images().generate_stream(gpt_request(2), options, asio::use_awaitable);
        openai::image_stream b = std::move(a);
        BOOST_TEST(!a.valid());
        BOOST_TEST(b.valid());
        auto [ec2, ev2] = co_await a.next(info, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec2 == openai::errc::stream_closed);
        auto from_b = co_await b.next(asio::use_awaitable);
        BOOST_TEST(from_b.has_value());
        // Move-assigning over an open stream closes it.
        b = openai::image_stream{};
        BOOST_TEST(client.stats().connections_in_use == 0u);
    }());
    BOOST_TEST(client.stats().connections_in_use == 0u);
    BOOST_TEST(client.stats().connections_idle == 0u);
}

BOOST_AUTO_TEST_CASE(destroying_a_stream_while_next_is_pending) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    auto options = serve_pieces(server, {partial("a", 0)}, framing::hang);
    boost::system::error_code pending_ec;
    bool pending_done = false;
    openai::error_info info;
    auto stream = std::make_unique<openai::image_stream>(
        run(ioc, client.images().generate_stream(gpt_request(1), options, asio::use_awaitable)));
    auto first = run(ioc, stream->next(asio::use_awaitable));
    BOOST_TEST(first.has_value());
    stream->next(info, [&](boost::system::error_code e, std::optional<openai::image_event>) {
        pending_ec = e;
        pending_done = true;
    });
    stream.reset();
    ioc.restart();
    ioc.run_for(2s);
    BOOST_TEST(pending_done);
    BOOST_TEST(pending_ec == openai::errc::stream_closed, pending_ec.message());
    BOOST_TEST(client.stats().connections_in_use == 0u);
    BOOST_TEST(client.stats().connections_idle == 0u);
}

BOOST_AUTO_TEST_CASE(cancelling_next_mid_event_closes_the_stream) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    const auto fin = completed(random_bytes(2000, 9));
    auto options =
        serve_pieces(server, {partial("p", 0), fin.substr(0, fin.size() / 2)}, framing::hang);
    run(ioc, [&]() -> asio::awaitable<void> {
        auto stream =
            co_await client.images().generate_stream(gpt_request(1), options, asio::use_awaitable);
        co_await stream.next(asio::use_awaitable);
        asio::steady_timer deadline(co_await asio::this_coro::executor, 150ms);
        const auto start = std::chrono::steady_clock::now();
        auto winner =
            co_await (stream.next(asio::use_awaitable) || deadline.async_wait(asio::use_awaitable));
        BOOST_TEST(winner.index() == 1u);
        BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
        BOOST_TEST(client.stats().connections_in_use == 0u);
        openai::error_info info;
        auto [ec, ev] = co_await stream.next(info, asio::as_tuple(asio::use_awaitable));
        BOOST_TEST(ec == openai::errc::stream_closed);
        BOOST_TEST(info.message.find("cancelled") != std::string::npos, info.message);
    }());
    BOOST_TEST(client.stats().connections_idle == 0u);
    // The client still works.
    auto r = run(ioc, drain_generation(client.images(), gpt_request(),
                                       serve_pieces(server, {completed("ok")})));
    BOOST_TEST(r.clean_end, r.error.message);
}

BOOST_AUTO_TEST_CASE(opening_failures) {
    raw_stream_server server;
    asio::io_context ioc;
    openai::client client(ioc.get_executor(), config_for(server));
    // An error status: its JSON body is read and decoded.
    canned_response rejected;
    rejected.status = 400;
    rejected.content_type = "application/json";
    rejected.frame = framing::length;
    rejected.request_id = "req_rejected";
    rejected.add(
        R"({"error":{"message":"bad size","type":"invalid_request_error","param":"size","code":null}})");
    server.add("rejected", rejected);
    auto r = run(ioc, drain_generation(client.images(), gpt_request(), serve("rejected")));
    BOOST_TEST(!r.opened);
    BOOST_TEST(r.error.code == openai::errc::bad_request);
    BOOST_TEST(r.error.http_status == 400);
    BOOST_TEST(r.error.request_id == "req_rejected");
    BOOST_TEST(*r.error.api->param == "size");
    BOOST_TEST(client.stats().connections_idle == 1u); // a whole error body: reusable

    // A 200 that is not an event stream.
    canned_response html;
    html.content_type = "text/html";
    html.frame = framing::length;
    html.add("<html>hello</html>");
    server.add("html", html);
    r = run(ioc, drain_generation(client.images(), gpt_request(), serve("html")));
    BOOST_TEST(!r.opened);
    BOOST_TEST(r.error.code == openai::errc::unexpected_content_type);
    BOOST_TEST(r.error.message.find("text/event-stream") != std::string::npos, r.error.message);

    // Refused before sending: streaming is for GPT image models; variations never stream.
    const auto accepted = server.connections_accepted();
    openai::generate_request dalle;
    dalle.prompt = "x";
    dalle.model = "dall-e-3";
    r = run(ioc, drain_generation(client.images(), dalle, serve("none")));
    BOOST_TEST(r.error.code == openai::errc::invalid_request);
    BOOST_TEST(r.error.message.find("stream") != std::string::npos, r.error.message);
    BOOST_TEST(server.connections_accepted() == accepted);

    // The unary call refuses stream=true and names the streaming call.
    openai::generate_request unary = gpt_request();
    unary.stream = true;
    openai::error_info info;
    auto [ec, resp] =
        run(ioc, client.images().generate(unary, info, asio::as_tuple(asio::use_awaitable)));
    BOOST_TEST(ec == openai::errc::invalid_request);
    BOOST_TEST(info.message.find("generate_stream") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(save_image_is_atomic_and_reports_failures) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("openai-save-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "out.png";
    openai::save_image("first", path);
    openai::save_image("second, longer", path); // replaces
    std::ifstream in(path, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(content == "second, longer");
    // The permissions of any new file of the user's: 0666 less the umask.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    const auto mode = std::filesystem::status(path).permissions() & std::filesystem::perms::all;
    BOOST_TEST(static_cast<unsigned>(mode) == (0666u & ~static_cast<unsigned>(mask)));
    boost::system::error_code ec;
    openai::save_image("x", dir / "missing" / "out.png", ec);
    BOOST_TEST(ec == boost::system::errc::no_such_file_or_directory);
    BOOST_CHECK_THROW(openai::save_image("x", dir / "missing" / "out.png"),
                      boost::system::system_error);
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        (void)entry;
        ++files;
    }
    BOOST_TEST(files == 1u); // no temporary left behind
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
