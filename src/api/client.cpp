#include "api/client_impl.hpp"
#include "codec/percent_encode.hpp"

#include <openai/client.hpp>

#include <cctype>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

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

namespace {

transport::base_location azure_base(const azure_options& azure) {
    if (azure.deployment.empty())
        throw std::invalid_argument("Azure configuration has no deployment name");
    if (azure.api_version.empty())
        throw std::invalid_argument("Azure configuration has no api_version");
    std::string error;
    auto base = transport::parse_base_url(azure.endpoint, error);
    if (!base)
        throw std::invalid_argument("Azure endpoint: " + error);
    if (!base->query.empty())
        throw std::invalid_argument("Azure endpoint must not have a query (api_version is set "
                                    "separately)");
    base->path += "/openai/deployments/" + codec::percent_encode(azure.deployment);
    base->query = "api-version=" + codec::percent_encode(azure.api_version);
    return std::move(*base);
}

std::optional<transport::proxy_endpoint> proxy_from(const std::string& url, const char* which) {
    if (url.empty())
        return std::nullopt;
    std::string error;
    auto proxy = transport::parse_proxy_url(url, error);
    if (!proxy)
        throw std::invalid_argument(std::string(which) + ": " + error);
    return proxy;
}

} // namespace

client_impl::client_impl(asio::any_io_executor executor, client_config config)
    : executor_(std::move(executor))
    , config_(std::move(config)) {
    if (config_.azure) {
        base_ = azure_base(*config_.azure);
    } else {
        std::string error;
        auto base = transport::parse_base_url(config_.base_url, error);
        if (!base)
            throw std::invalid_argument(error);
        base_ = std::move(*base);
    }
    https_proxy_ = proxy_from(config_.proxy.https_proxy, "https proxy");
    http_proxy_ = proxy_from(config_.proxy.http_proxy, "http proxy");
    no_proxy_ = transport::no_proxy_list(config_.proxy.no_proxy);
    if (base_.origin.tls) {
        tls_ = make_tls_context(config_.tls);
    } else {
        // Not needed for the API, but downloads of https result URLs may want it: a bad CA
        // setting fails those downloads (saying why) rather than this constructor.
        try {
            tls_ = make_tls_context(config_.tls);
        } catch (const std::exception& e) {
            tls_error_ = e.what();
        }
    }
    pool_ = std::make_shared<transport::connection_pool>(executor_, config_.pool, tls_,
                                                         config_.tls.session_resumption);
}

transport::route client_impl::route_for(const transport::origin& target) const {
    transport::route r{target, std::nullopt};
    const auto& proxy = target.tls ? https_proxy_ : http_proxy_;
    if (proxy && !no_proxy_.matches(target.host, target.port))
        r.proxy = proxy;
    return r;
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
    if (const char* v = env("https_proxy") ? env("https_proxy") : env("HTTPS_PROXY"))
        config.proxy.https_proxy = v;
    // "httpoxy": under CGI, HTTP_PROXY comes from the client's `Proxy:` request header.
    const bool cgi = env("REQUEST_METHOD") != nullptr;
    if (const char* v = env("http_proxy") ? env("http_proxy") : cgi ? nullptr : env("HTTP_PROXY"))
        config.proxy.http_proxy = v;
    if (const char* v = env("no_proxy") ? env("no_proxy") : env("NO_PROXY"))
        config.proxy.no_proxy = v;
    return config;
}

client_config client_config::for_azure(std::string endpoint, std::string deployment,
                                       std::string api_version, std::string api_key) {
    client_config config;
    config.azure =
        azure_options{std::move(endpoint), std::move(deployment), std::move(api_version)};
    config.api_key = std::move(api_key);
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

openai::files client::files() const noexcept {
    return openai::files(impl_);
}

openai::batches client::batches() const noexcept {
    return openai::batches(impl_);
}

client_stats client::stats() const {
    const auto s = impl_->pool().stats();
    return {s.connections_created, s.idle,       s.in_use, s.waiting,
            s.tls_full_handshakes, s.tls_resumed};
}

} // namespace openai
