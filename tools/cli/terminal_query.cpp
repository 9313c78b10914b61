#include "terminal_query.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace openai::cli::preview {

terminal_geometry query_geometry(int fd) {
    terminal_geometry g;
    winsize ws{};
    if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        g.columns = ws.ws_col;
        g.rows = ws.ws_row;
        if (ws.ws_xpixel > 0 && ws.ws_ypixel > 0) {
            g.cell_width = ws.ws_xpixel / ws.ws_col;
            g.cell_height = ws.ws_ypixel / ws.ws_row;
        }
        return g;
    }
    const auto number = [](const char* name, int fallback) {
        const char* v = std::getenv(name);
        if (v == nullptr)
            return fallback;
        const int n = std::atoi(v);
        return n > 0 && n < 10000 ? n : fallback;
    };
    g.columns = number("COLUMNS", 80);
    g.rows = number("LINES", 24);
    return g;
}

bool device_attributes_say_sixel(std::string_view answer) {
    const auto start = answer.find("\x1b[?");
    if (start == std::string_view::npos)
        return false;
    const auto end = answer.find('c', start);
    if (end == std::string_view::npos)
        return false;
    const auto list = answer.substr(start + 3, end - start - 3);
    std::size_t at = 0;
    bool first = true;
    while (at <= list.size()) {
        auto next = list.find(';', at);
        if (next == std::string_view::npos)
            next = list.size();
        if (!first && list.substr(at, next - at) == "4")
            return true; // the first number is the terminal class, not an attribute
        first = false;
        at = next + 1;
    }
    return false;
}

bool query_sixel_support(std::chrono::milliseconds timeout) {
    const int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return false;
    termios saved{};
    if (::tcgetattr(fd, &saved) != 0) {
        ::close(fd);
        return false;
    }
    termios raw = saved;
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO));
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    ::tcsetattr(fd, TCSANOW, &raw);
    std::string answer;
    if (::write(fd, "\x1b[c", 3) == 3) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        const auto complete = [&] {
            const auto start = answer.find("\x1b[?");
            return start != std::string::npos && answer.find('c', start) != std::string::npos;
        };
        while (!complete()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                break;
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
                break;
            char buf[64];
            const auto n = ::read(fd, buf, sizeof buf);
            if (n <= 0)
                break;
            answer.append(buf, static_cast<std::size_t>(n));
            if (answer.size() > 256)
                break;
        }
    }
    ::tcsetattr(fd, TCSANOW, &saved);
    ::close(fd);
    return device_attributes_say_sixel(answer);
}

bool tmux_allows_passthrough() {
    std::FILE* p = ::popen("tmux show-options -gv allow-passthrough 2>/dev/null", "r");
    if (p == nullptr)
        return false;
    char buf[32] = {};
    const bool got = std::fgets(buf, sizeof buf, p) != nullptr;
    ::pclose(p);
    const std::string v = got ? std::string(buf) : std::string();
    return v.starts_with("on") || v.starts_with("all");
}

} // namespace openai::cli::preview
