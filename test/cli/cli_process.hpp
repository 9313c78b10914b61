// Runs the openai-images program as a child process for the end-to-end tests: arguments, extra
// environment, stdout and stderr captured to files, waiting with a deadline, signals.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
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

class cli_process {
public:
    // Starts $OPENAI_IMAGES_CLI with `args`; `env` entries ("NAME=value") are added to ours.
    // Output goes to files in `work_dir` named after `tag`.
    cli_process(const std::vector<std::string>& args, const std::filesystem::path& work_dir,
                const std::string& tag, const std::vector<std::string>& env = {}) {
        const char* binary = std::getenv("OPENAI_IMAGES_CLI");
        if (binary == nullptr || *binary == '\0')
            throw std::runtime_error("OPENAI_IMAGES_CLI is not set: run through ctest");
        out_path_ = work_dir / (tag + ".stdout");
        err_path_ = work_dir / (tag + ".stderr");
        std::vector<std::string> argv_s{binary};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : argv_s)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        std::vector<std::string> env_s;
        for (char** e = environ; *e != nullptr; ++e)
            env_s.emplace_back(*e);
        env_s.insert(env_s.end(), env.begin(), env.end());
        std::vector<char*> envp;
        for (auto& e : env_s)
            envp.push_back(e.data());
        envp.push_back(nullptr);

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int rc = ::posix_spawn(&pid_, binary, &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0)
            throw std::runtime_error(std::string("cannot start ") + binary + ": " +
                                     std::strerror(rc));
    }

    cli_process(const cli_process&) = delete;
    cli_process& operator=(const cli_process&) = delete;

    ~cli_process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }

    ::pid_t pid() const noexcept { return pid_; }
    bool running() const noexcept { return pid_ > 0; }

    void signal(int sig) {
        if (pid_ > 0)
            ::kill(pid_, sig);
    }

    // Waits for the exit; returns the status (0..255) or 128 + N after signal N. Kills the
    // process and throws when it takes longer than `timeout`.
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds{120}) {
        if (pid_ <= 0)
            return status_;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            int st = 0;
            const ::pid_t r = ::waitpid(pid_, &st, WNOHANG);
            if (r == pid_) {
                pid_ = -1;
                status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                return status_;
            }
            if (r < 0 && errno != EINTR)
                throw std::runtime_error("waitpid failed");
            if (std::chrono::steady_clock::now() >= deadline) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, nullptr, 0);
                pid_ = -1;
                throw std::runtime_error("openai-images did not finish in time");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    std::string out() const { return slurp(out_path_); }
    std::string err() const { return slurp(err_path_); }

    static std::string slurp(const std::filesystem::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    ::pid_t pid_ = -1;
    int status_ = -1;
    std::filesystem::path out_path_;
    std::filesystem::path err_path_;
};

} // namespace openai::test
