// Starts openai-images-emulator as a child process for a test and stops it at the end.
//
//     openai::test::emulator_process emu;                       // TLS, temp cert dir, port 0
//     openai::test::emulator_process emu2({"--api-key", "k"});  // extra flags
//     emu.base_url();   // "https://127.0.0.1:PORT"
//     emu.ca_file();    // the generated ca.pem to verify against
//
// The binary comes from the environment variable OPENAI_IMAGES_EMULATOR (CTest sets it) unless a
// path is given. The constructor waits for the ready line (`listening on ...`) and throws with
// the reason when the emulator fails to start; the destructor sends SIGTERM, waits, escalates to
// SIGKILL after a timeout, and removes the temporary certificate directory.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace openai::test {

class emulator_process {
public:
    struct settings {
        /// Extra command-line flags (e.g. {"--api-key", "k", "--latency-ms", "10"}).
        std::vector<std::string> args;
        /// Serve HTTPS with a certificate in a fresh temporary directory.
        bool tls = true;
        /// The binary; empty: $OPENAI_IMAGES_EMULATOR.
        std::filesystem::path binary;
        /// How long to wait for the ready line.
        std::chrono::milliseconds start_timeout{15000};
    };

    emulator_process()
        : emulator_process(settings{}) {}

    explicit emulator_process(std::vector<std::string> args, bool tls = true)
        : emulator_process(settings{std::move(args), tls, {}, std::chrono::milliseconds(15000)}) {}

    explicit emulator_process(settings s)
        : tls_(s.tls) {
        std::filesystem::path binary = s.binary.empty() ? default_binary() : s.binary;
        std::vector<std::string> argv{binary.string()};
        if (tls_) {
            std::string tmpl =
                (std::filesystem::temp_directory_path() / "openai-emulator-XXXXXX").string();
            if (::mkdtemp(tmpl.data()) == nullptr)
                throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
            cert_dir_ = tmpl;
            argv.insert(argv.end(), {"--tls", "--cert-dir", cert_dir_.string()});
        }
        argv.insert(argv.end(), s.args.begin(), s.args.end());
        spawn(argv);
        try {
            read_ready_line(s.start_timeout);
        } catch (...) {
            stop(SIGKILL);
            cleanup();
            throw;
        }
    }

    emulator_process(const emulator_process&) = delete;
    emulator_process& operator=(const emulator_process&) = delete;

    ~emulator_process() {
        if (pid_ > 0)
            stop(SIGTERM);
        cleanup();
    }

    /// $OPENAI_IMAGES_EMULATOR, or a clear error.
    static std::filesystem::path default_binary() {
        const char* p = std::getenv("OPENAI_IMAGES_EMULATOR");
        if (p == nullptr || *p == '\0')
            throw std::runtime_error("OPENAI_IMAGES_EMULATOR is not set: run through ctest, or set "
                                     "it to build/release/bin/openai-images-emulator");
        return p;
    }

    std::uint16_t port() const noexcept { return port_; }
    const std::string& host() const noexcept { return host_; }
    bool tls() const noexcept { return tls_; }
    /// "https://127.0.0.1:PORT" (or http://), as printed on the ready line.
    const std::string& base_url() const noexcept { return base_url_; }
    /// The CA certificate to trust (TLS only).
    std::filesystem::path ca_file() const { return cert_dir_ / "ca.pem"; }
    ::pid_t pid() const noexcept { return pid_; }

    /// Sends `signal` (none when 0) and waits up to `timeout` for the process to end (then
    /// SIGKILL). Returns its exit status (0..255), or 128 + N when it died of signal N.
    int stop(int signal = SIGTERM,
             std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
        if (pid_ <= 0)
            return exit_status_;
        if (signal != 0)
            ::kill(pid_, signal);
        auto deadline = std::chrono::steady_clock::now() + timeout;
        int status = 0;
        for (;;) {
            ::pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_)
                break;
            if (r < 0 && errno != EINTR) {
                status = 0;
                break;
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        pid_ = -1;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_status_;
    }

    /// Waits for the process to end by itself (after a signal sent elsewhere); see stop().
    int wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
        return stop(0, timeout);
    }

private:
    void spawn(const std::vector<std::string>& args) {
        int fds[2];
        if (::pipe(fds) != 0)
            throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        posix_spawn_file_actions_addclose(&actions, fds[1]);
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(fds[1]);
        if (rc != 0) {
            ::close(fds[0]);
            pid_ = -1;
            throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
        }
        stdout_fd_ = fds[0];
    }

    void read_ready_line(std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        std::string line;
        while (line.find('\n') == std::string::npos) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                throw std::runtime_error("the emulator printed no ready line in time");
            pollfd p{stdout_fd_, POLLIN, 0};
            int r = ::poll(&p, 1, static_cast<int>(left.count()));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                continue;
            char buf[256];
            ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
            if (n <= 0) {
                int status = stop(SIGKILL, std::chrono::milliseconds(1000));
                throw std::runtime_error("the emulator exited before its ready line (status " +
                                         std::to_string(status) + ")");
            }
            line.append(buf, static_cast<std::size_t>(n));
        }
        line.resize(line.find('\n'));
        const std::string prefix = "listening on ";
        auto scheme_end = line.find("://");
        auto colon = line.rfind(':');
        if (!line.starts_with(prefix) || scheme_end == std::string::npos || colon <= scheme_end)
            throw std::runtime_error("unexpected ready line: '" + line + "'");
        base_url_ = line.substr(prefix.size());
        host_ = line.substr(scheme_end + 3, colon - scheme_end - 3);
        if (host_.size() > 2 && host_.front() == '[')
            host_ = host_.substr(1, host_.size() - 2);
        port_ = static_cast<std::uint16_t>(std::stoul(line.substr(colon + 1)));
        bool https = line.compare(prefix.size(), 8, "https://") == 0;
        if (https != tls_)
            throw std::runtime_error("ready line has the wrong scheme: '" + line + "'");
        if (tls_ && !std::filesystem::exists(ca_file()))
            throw std::runtime_error("ready line printed before " + ca_file().string() +
                                     " was written");
    }

    void cleanup() {
        if (stdout_fd_ >= 0) {
            ::close(stdout_fd_);
            stdout_fd_ = -1;
        }
        if (!cert_dir_.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(cert_dir_, ec);
            cert_dir_.clear();
        }
    }

    bool tls_;
    ::pid_t pid_ = -1;
    int stdout_fd_ = -1;
    int exit_status_ = -1;
    std::filesystem::path cert_dir_;
    std::string host_;
    std::string base_url_;
    std::uint16_t port_ = 0;
};

} // namespace openai::test
