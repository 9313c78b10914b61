#include "api/client_impl.hpp"

#include <openai/client.hpp>

#include <cstdlib>
#include <stdexcept>

#include <openssl/ssl.h>

namespace openai {

namespace asio = boost::asio;

namespace detail {

std::shared_ptr<asio::ssl::context> make_tls_context(const tls_options& options) {
    if (options.context)
        return options.context;
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
    if (!options.verify_peer) {
        ctx->set_verify_mode(asio::ssl::verify_none);
        return ctx;
    }
    ctx->set_verify_mode(asio::ssl::verify_peer);
    boost::system::error_code ec;
    if (!options.ca_file.empty()) {
        ctx->load_verify_file(options.ca_file, ec);
        if (ec)
            throw std::invalid_argument("cannot load CA file '" + options.ca_file +
                                        "': " + ec.message());
    } else {
        ctx->set_default_verify_paths(ec);
        if (ec)
            throw std::invalid_argument("cannot load the system trust store: " + ec.message());
    }
    return ctx;
}

client_impl::client_impl(asio::any_io_executor executor, client_config config)
    : executor_(std::move(executor))
    , config_(std::move(config)) {
    std::string error;
    auto base = transport::parse_base_url(config_.base_url, error);
    if (!base)
        throw std::invalid_argument(error);
    base_ = std::move(*base);
    if (base_.origin.tls)
        tls_ = make_tls_context(config_.tls);
    pool_ = std::make_shared<transport::connection_pool>(executor_, config_.pool, tls_);
}

} // namespace detail

client_config client_config::from_env() {
    client_config config;
    auto env = [](const char* name) -> const char* {
        const char* v = std::getenv(name);
        return v != nullptr && *v != '\0' ? v : nullptr;
    };
    if (const char* v = env("OPENAI_API_KEY"))
        config.api_key = v;
    if (const char* v = env("OPENAI_BASE_URL"))
        config.base_url = v;
    if (const char* v = env("OPENAI_ORG_ID"))
        config.organization = v;
    if (const char* v = env("OPENAI_PROJECT_ID"))
        config.project = v;
    return config;
}

client::client(asio::any_io_executor executor, client_config config)
    : impl_(std::make_shared<detail::client_impl>(std::move(executor), std::move(config))) {}

asio::any_io_executor client::get_executor() const noexcept {
    return impl_->executor();
}

const client_config& client::config() const noexcept {
    return impl_->config();
}

openai::images client::images() const noexcept {
    return openai::images(impl_);
}

client_stats client::stats() const {
    const auto s = impl_->pool().stats();
    return {s.connections_created, s.idle, s.in_use, s.waiting};
}

} // namespace openai
