// Where every handler runs: on its associated executor when it has one, otherwise on the client's
// executor (image_stream::get_executor()), never inside the initiating call. Strands are the
// tracking executors: `running_in_this_thread()` tells from inside a handler which one runs it.
// Covered for unary calls, stream openings, next() (also when refused at once), and downloads,
// with callback, coroutine and future tokens.
#include "client/client_fixture.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>

#include <filesystem>
#include <future>
#include <thread>

namespace asio = boost::asio;
using namespace openai::test;

namespace {

using strand = asio::strand<asio::io_context::executor_type>;

struct tracked {
    asio::io_context ioc;
    strand client_strand{asio::make_strand(ioc)};
    strand user_strand{asio::make_strand(ioc)};
    openai::client client{client_strand, config_for(emulator())};

    // Where a handler ran.
    struct place {
        bool in_user = false;
        bool in_client = false;
        bool after_initiation = false;
    };

    void run() {
        ioc.restart();
        ioc.run();
    }
};

openai::generate_request small_request(const std::string& prompt) {
    openai::generate_request req;
    req.prompt = prompt;
    req.model = openai::models::gpt_image_1;
    req.quality = "low";
    req.size = "1024x1024";
    return req;
}

} // namespace

BOOST_AUTO_TEST_SUITE(executors)

BOOST_AUTO_TEST_CASE(unary_callbacks_run_on_their_executor_or_the_clients) {
    tracked t;
    auto images = t.client.images();
    tracked::place bound, unbound, coded;
    bool initiated = false;
    images.generate(
        small_request("bound"),
        asio::bind_executor(t.user_strand, [&](std::exception_ptr ep, openai::images_response) {
            BOOST_TEST(!ep);
            bound = {t.user_strand.running_in_this_thread(),
                     t.client_strand.running_in_this_thread(), initiated};
        }));
    images.generate(small_request("unbound"), [&](std::exception_ptr ep, openai::images_response) {
        BOOST_TEST(!ep);
        unbound = {t.user_strand.running_in_this_thread(), t.client_strand.running_in_this_thread(),
                   initiated};
    });
    openai::error_info info;
    images.generate(small_request("coded"), info,
                    [&](boost::system::error_code ec, openai::images_response) {
                        BOOST_TEST(!ec);
                        coded = {t.user_strand.running_in_this_thread(),
                                 t.client_strand.running_in_this_thread(), initiated};
                    });
    initiated = true;
    t.run();
    BOOST_TEST(bound.in_user);
    BOOST_TEST(bound.after_initiation);
    BOOST_TEST(!unbound.in_user);
    BOOST_TEST(unbound.in_client);
    BOOST_TEST(unbound.after_initiation);
    BOOST_TEST(coded.in_client);
    BOOST_TEST(coded.after_initiation);
}

BOOST_AUTO_TEST_CASE(a_failure_before_sending_is_delivered_the_same_way) {
    tracked t;
    auto req = small_request("invalid");
    req.n = 99; // refused by validation, nothing is sent
    tracked::place where;
    bool initiated = false;
    t.client.images().generate(
        req,
        asio::bind_executor(t.user_strand, [&](std::exception_ptr ep, openai::images_response) {
            BOOST_TEST(static_cast<bool>(ep));
            where = {t.user_strand.running_in_this_thread(), false, initiated};
        }));
    initiated = true;
    t.run();
    BOOST_TEST(where.in_user);
    BOOST_TEST(where.after_initiation);
}

BOOST_AUTO_TEST_CASE(coroutines_resume_on_their_own_executor) {
    tracked t;
    bool unary = false, opened = false, every_next = true, ended = false, downloaded = false;
    asio::co_spawn(
        t.user_strand,
        [&]() -> asio::awaitable<void> {
            auto images = t.client.images();
            co_await images.generate(small_request("coroutine"));
            unary = t.user_strand.running_in_this_thread();
            auto req = small_request("coroutine stream");
            req.partial_images = 1;
            auto stream = co_await images.generate_stream(req);
            opened = t.user_strand.running_in_this_thread();
            BOOST_TEST((stream.get_executor() == asio::any_io_executor(t.client_strand)));
            while (auto ev = co_await stream.next())
                every_next = every_next && t.user_strand.running_in_this_thread();
            ended = t.user_strand.running_in_this_thread();

            auto url_req = small_request("coroutine url");
            url_req.model = openai::models::dall_e_2;
            url_req.size = "256x256";
            url_req.quality.reset();
            url_req.response_format = "url";
            const auto r = co_await images.generate(url_req);
            const auto target = std::filesystem::temp_directory_path() /
                                ("openai-executor-co-" + std::to_string(::getpid()) + ".png");
            co_await t.client.download(*r.data.at(0).url, target);
            downloaded = t.user_strand.running_in_this_thread();
            std::filesystem::remove(target);
        },
        asio::detached);
    t.run();
    BOOST_TEST(unary);
    BOOST_TEST(opened);
    BOOST_TEST(every_next);
    BOOST_TEST(ended);
    BOOST_TEST(downloaded);
}

BOOST_AUTO_TEST_CASE(stream_next_callbacks_and_immediate_refusals) {
    tracked t;
    openai::image_stream stream;
    auto req = small_request("callback stream");
    req.partial_images = 2;
    t.client.images().generate_stream(req, [&](std::exception_ptr ep, openai::image_stream s) {
        BOOST_TEST(!ep);
        BOOST_TEST(t.client_strand.running_in_this_thread());
        stream = std::move(s);
    });
    t.run();
    BOOST_TEST_REQUIRE(stream.valid());

    // One next() pending; a second one is refused at once, but still delivered on its executor
    // after the initiating call returned, and the first is not disturbed.
    tracked::place first, second;
    bool initiated = false;
    bool second_refused = false;
    stream.next(asio::bind_executor(
        t.user_strand, [&](std::exception_ptr ep, std::optional<openai::image_event> ev) {
            BOOST_TEST(!ep);
            BOOST_TEST(ev.has_value());
            first = {t.user_strand.running_in_this_thread(), false, initiated};
        }));
    openai::error_info info;
    stream.next(info, asio::bind_executor(t.user_strand, [&](boost::system::error_code ec,
                                                             std::optional<openai::image_event>) {
                    second_refused = ec == openai::errc::concurrent_next;
                    second = {t.user_strand.running_in_this_thread(), false, initiated};
                }));
    initiated = true;
    t.run();
    BOOST_TEST(first.in_user);
    BOOST_TEST(first.after_initiation);
    BOOST_TEST(second_refused);
    BOOST_TEST(second.in_user);
    BOOST_TEST(second.after_initiation);

    // A closed stream's next(): delivered on the handler's executor too.
    stream.close();
    tracked::place closed;
    initiated = false;
    stream.next(asio::bind_executor(
        t.user_strand, [&](std::exception_ptr ep, std::optional<openai::image_event>) {
            BOOST_TEST(static_cast<bool>(ep));
            closed = {t.user_strand.running_in_this_thread(), false, initiated};
        }));
    initiated = true;
    t.run();
    BOOST_TEST(closed.in_user);
    BOOST_TEST(closed.after_initiation);
}

BOOST_AUTO_TEST_CASE(futures_complete_on_the_clients_executor) {
    tracked t;
    auto guard = asio::make_work_guard(t.ioc);
    std::thread runner([&] { t.ioc.run(); });
    auto images = t.client.images();
    auto unary =
        images.generate(small_request("future"),
                        asio::use_future([&](std::exception_ptr ep, openai::images_response) {
                            return !ep && t.client_strand.running_in_this_thread();
                        }));
    BOOST_TEST(unary.get());

    auto url_req = small_request("future url");
    url_req.model = openai::models::dall_e_2;
    url_req.size = "256x256";
    url_req.quality.reset();
    url_req.response_format = "url";
    const auto r = images.generate(url_req, asio::use_future).get();
    BOOST_TEST_REQUIRE(r.data.size() == 1u);
    BOOST_TEST_REQUIRE(r.data[0].url.has_value());
    const auto target = std::filesystem::temp_directory_path() /
                        ("openai-executor-test-" + std::to_string(::getpid()) + ".png");
    auto download =
        t.client.download(*r.data[0].url, target,
                          asio::use_future([&](std::exception_ptr ep, openai::download_result) {
                              return !ep && t.client_strand.running_in_this_thread();
                          }));
    BOOST_TEST(download.get());
    std::filesystem::remove(target);

    // A download's callback with its own executor.
    std::promise<bool> bound;
    t.client.download(
        *r.data[0].url, target,
        asio::bind_executor(t.user_strand, [&](std::exception_ptr ep, openai::download_result) {
            bound.set_value(!ep && t.user_strand.running_in_this_thread());
        }));
    BOOST_TEST(bound.get_future().get());
    std::filesystem::remove(target);
    guard.reset();
    runner.join();
}

BOOST_AUTO_TEST_SUITE_END()
