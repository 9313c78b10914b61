// A real HTTP proxy for the proxy tests: Debian's tinyproxy, started on a free loopback port with
// a configuration written for the test, in the foreground, and stopped at the end.
//
//     tinyproxy_process proxy({emu.port()});                 // CONNECT allowed to these ports
//     tinyproxy_process authed({emu.port()}, "user", "pw");  // BasicAuth required
//     proxy.url();   // "http://127.0.0.1:PORT"
//     proxy.log();   // what it logged so far (requests and CONNECTs)
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace openai::test {

class tinyproxy_process {
public:
    static constexpr const char* binary = "/usr/bin/tinyproxy";

    static bool available() { return ::access(binary, X_OK) == 0; }

    explicit tinyproxy_process(const std::vector<std::uint16_t>& connect_ports,
                               const std::string& user = {}, const std::string& password = {}) {
        std::random_device rd;
        dir_ = std::filesystem::temp_directory_path() /
               ("openai-tinyproxy-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        std::filesystem::create_directories(dir_);
        // tinyproxy cannot listen on port 0: take a free port from the kernel and hand it over.
        // Another process could grab it in between, so a failed start is tried again.
        for (int attempt = 0; attempt < 5; ++attempt) {
            port_ = free_port();
            write_config(connect_ports, user, password);
            start();
            if (wait_until_listening())
                return;
            stop();
        }
        std::filesystem::remove_all(dir_);
        throw std::runtime_error("tinyproxy did not start (log: " + log() + ")");
    }

    tinyproxy_process(const tinyproxy_process&) = delete;
    tinyproxy_process& operator=(const tinyproxy_process&) = delete;

    ~tinyproxy_process() {
        stop();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::uint16_t port() const noexcept { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string url_with(const std::string& userinfo) const {
        return "http://" + userinfo + "@127.0.0.1:" + std::to_string(port_);
    }

    std::string log() const {
        std::ifstream in(dir_ / "tinyproxy.log");
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

private:
    static std::uint16_t free_port() {
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::acceptor a(
            ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        return a.local_endpoint().port();
    }

    void write_config(const std::vector<std::uint16_t>& connect_ports, const std::string& user,
                      const std::string& password) {
        std::ofstream conf(dir_ / "tinyproxy.conf", std::ios::trunc);
        conf << "Port " << port_ << "\n"
             << "Listen 127.0.0.1\n"
             << "Timeout 60\n"
             << "MaxClients 64\n"
             << "Allow 127.0.0.1\n"
             << "LogLevel Connect\n"
             << "LogFile \"" << (dir_ / "tinyproxy.log").string() << "\"\n"
             << "PidFile \"" << (dir_ / "tinyproxy.pid").string() << "\"\n";
        for (auto p : connect_ports)
            conf << "ConnectPort " << p << "\n";
        if (!user.empty())
            conf << "BasicAuth " << user << " " << password << "\n";
    }

    void start() {
        const std::string conf = (dir_ / "tinyproxy.conf").string();
        std::vector<std::string> args{binary, "-d", "-c", conf};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        // Its console chatter is not ours to show.
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        const int rc = ::posix_spawn(&pid_, binary, &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            pid_ = -1;
            throw std::runtime_error("cannot start tinyproxy");
        }
    }

    bool wait_until_listening() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1; // exited (port taken?)
                return false;
            }
            boost::asio::io_context ioc;
            boost::asio::ip::tcp::socket s(ioc);
            boost::system::error_code ec;
            s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
            if (!ec)
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    void stop() {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        int status = 0;
        while (::waitpid(pid_, &status, WNOHANG) != pid_) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pid_ = -1;
    }

    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    ::pid_t pid_ = -1;
};

} // namespace openai::test
