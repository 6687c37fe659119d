// Bind-address parsing and free-port picking.
#include "metrics/bind_address.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>

namespace vaultsync::metrics {

std::string BindAddress::Url() const {
  const bool v6 = host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<std::optional<BindAddress>> ParseBindAddress(std::string_view text) {
  if (text.empty() || text == "0") return std::optional<BindAddress>();
  const std::string bad = "bind address \"" + std::string(text) + "\" is not [host]:port or 0";
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return InvalidArgument(bad);
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return InvalidArgument(bad);
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return InvalidArgument(bad);  // an IPv6 literal needs brackets
  }
  // A host name, an IPv4 address or an IPv6 literal (with a %zone): anything else (a stray
  // bracket, a space, a slash) cannot be listened on and is refused here, by name.
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
    if (!ok) return InvalidArgument(bad);
  }
  int port = -1;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return InvalidArgument(bad);
  }
  BindAddress out;
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  out.port = port;
  return std::optional<BindAddress>(std::move(out));
}

Result<int> PickFreePort(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), "0", &hints, &found) != 0 || found == nullptr) {
    return Unavailable("cannot resolve listen host \"" + host + "\"");
  }
  int port = -1;
  for (addrinfo* a = found; a != nullptr && port < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                        : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (port < 0) return Unavailable("cannot bind a port on \"" + host + "\"");
  return port;
}

}  // namespace vaultsync::metrics
