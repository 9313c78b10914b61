// The state every handle of one client shares: configuration, TLS context, connection pool.
#pragma once

#include "transport/connection_pool.hpp"
#include "transport/origin.hpp"
#include "transport/proxy.hpp"

#include <openai/client_config.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

namespace openai::detail {

class client_impl : public std::enable_shared_from_this<client_impl> {
public:
    client_impl(boost::asio::any_io_executor executor, client_config config);

    const boost::asio::any_io_executor& executor() const noexcept { return executor_; }
    const client_config& config() const noexcept { return config_; }
    // Where API requests go (for Azure: the deployment's path and the api-version query).
    const transport::base_location& base() const noexcept { return base_; }
    transport::connection_pool& pool() noexcept { return *pool_; }
    // The route to `target`: through the proxy configured for its scheme unless no_proxy
    // exempts it.
    transport::route route_for(const transport::origin& target) const;
    // Why https is unavailable (an unusable CA setting with an http base URL), or empty.
    const std::string& tls_error() const noexcept { return tls_error_; }

private:
    boost::asio::any_io_executor executor_;
    client_config config_;
    transport::base_location base_;
    std::optional<transport::proxy_endpoint> https_proxy_;
    std::optional<transport::proxy_endpoint> http_proxy_;
    transport::no_proxy_list no_proxy_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    std::string tls_error_;
    std::shared_ptr<transport::connection_pool> pool_;
};

// The TLS client context the configuration asks for: TLS 1.2 minimum, peer verification against
// the system store or a CA file. Throws std::invalid_argument naming an unreadable CA file.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_options& options);

} // namespace openai::detail
