// --emulator: the emulator's server on threads of this process, over TLS with a CA made now.
#include "session.hpp"

#if defined(OPENAI_IMAGES_CLI_WITH_EMULATOR)

#include "emulator/certificates.hpp"
#include "emulator/handler.hpp"
#include "emulator/image_cache.hpp"
#include "emulator/options.hpp"
#include "emulator/server.hpp"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <stdlib.h>

namespace openai::cli {
namespace {

namespace emu = openai::emulator;

class in_process_emulator final : public embedded_emulator {
public:
    in_process_emulator() {
        std::string dir =
            (std::filesystem::temp_directory_path() / "openai-images-XXXXXX").string();
        if (::mkdtemp(dir.data()) == nullptr)
            throw std::runtime_error("cannot create a temporary directory for the emulator's CA");
        cert_dir_ = dir;
        const auto material = emu::make_tls_material();
        ca_file_ = emu::write_ca_pem(cert_dir_, material.ca_cert_pem).string();
        tls_ = emu::server_tls{material.server_cert_pem, material.server_key_pem};

        emu::options opts;
        opts.host = "127.0.0.1";
        opts.port = 0;
        opts.tls = true;
        opts.cert_dir = cert_dir_.string();
        opts.shutdown_grace = std::chrono::milliseconds(200);
        auto cache = std::make_shared<emu::image_cache>();
        state_ = std::make_unique<emu::emulator_state>(
            std::move(opts), [cache](const emu::image_spec& spec) {
                emu::cached_image img = cache->get(spec, true);
                return emu::image_payload{img.bytes, img.base64, img.format, img.width, img.height};
            });
        control_.on_ready = [this](std::uint16_t port) {
            std::lock_guard lock(mutex_);
            port_ = port;
            ready_.notify_all();
        };
        thread_ = std::thread([this] {
            const int rc = emu::run_server(*state_, tls_, ready_line_, &control_);
            std::lock_guard lock(mutex_);
            exited_ = true;
            exit_code_ = rc;
            ready_.notify_all();
        });
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return port_ != 0 || exited_; });
        if (port_ == 0) {
            lock.unlock();
            thread_.join();
            throw std::runtime_error("the embedded emulator did not start (code " +
                                     std::to_string(exit_code_) + ")");
        }
        base_url_ = "https://127.0.0.1:" + std::to_string(port_) + "/v1";
    }

    ~in_process_emulator() override {
        control_.request_stop();
        if (thread_.joinable())
            thread_.join();
        std::error_code ignored;
        std::filesystem::remove_all(cert_dir_, ignored);
    }

    const std::string& base_url() const override { return base_url_; }
    const std::string& ca_file() const override { return ca_file_; }

private:
    std::filesystem::path cert_dir_;
    std::string ca_file_;
    std::string base_url_;
    std::optional<emu::server_tls> tls_;
    std::unique_ptr<emu::emulator_state> state_;
    emu::server_control control_;
    std::ostringstream ready_line_; // the stand-alone ready line; unused here
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::uint16_t port_ = 0;
    bool exited_ = false;
    int exit_code_ = 0;
};

} // namespace

std::unique_ptr<embedded_emulator> start_embedded_emulator() {
    return std::make_unique<in_process_emulator>();
}

} // namespace openai::cli

#endif
