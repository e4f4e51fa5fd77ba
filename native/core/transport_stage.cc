#include "core/transport_stage.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

namespace {

proxy::ProxyType ToProxyType(ProxyKind kind) {
  switch (kind) {
    case ProxyKind::kSocks4: return proxy::ProxyType::kSocks4;
    case ProxyKind::kHttp: return proxy::ProxyType::kHttp;
    default: return proxy::ProxyType::kSocks5;
  }
}

Error ProxyError(std::string code, const std::string& message) {
  return MakeError(std::move(code), codes::kLevelProxy, "TCP error: " + message);
}

Error ProxySocketError(int err) {
  return ProxyError(codes::kConnectFailed, "Proxy connection error: " + OsErrorText(err));
}

}  // namespace

bool TransportStage::Begin(const ConnectRequest& request, Error* error) {
  via_proxy_ = request.proxy.kind != ProxyKind::kNone;
  if (!via_proxy_) {
    connector_.Reset(&request.addresses, request.port);
    return true;
  }
  proxy::ProxyConfig config;
  config.type = ToProxyType(request.proxy.kind);
  config.login = request.proxy.login;
  config.password = request.proxy.password.reveal();
  config.has_login = request.proxy.has_login;
  config.has_password = request.proxy.has_password;
  proxy::Target target{request.host, request.port};
  proxy::ProxyError proxy_error;
  proxy_ = proxy::MakeHandshake(config, target, &proxy_error);
  std::fill(config.password.begin(), config.password.end(), '\0');
  if (!proxy_) {
    *error = ProxyError(proxy_error.code, proxy_error.message);
    return false;
  }
  connector_.Reset(&request.proxy.addresses, request.proxy.port);
  return true;
}

TransportStage::Status TransportStage::NextAttempt(int* fd, Error* error) {
  const TcpConnector::Status status = connector_.Begin();
  if (status == TcpConnector::Status::kFailed) {
    const std::string what = via_proxy_ ? "Proxy connection error: " : "Direct connection error: ";
    *error =
        MakeError(codes::kConnectFailed, via_proxy_ ? codes::kLevelProxy : codes::kLevelConnect,
                  "TCP error: " + what + connector_.last_error());
    return Status::kFailed;
  }
  *fd = connector_.TakeFd();
  return status == TcpConnector::Status::kConnected ? Status::kConnected : Status::kWaiting;
}

TransportStage::Status TransportStage::Writable(int socket_error) {
  if (socket_error == EINPROGRESS) return Status::kWaiting;
  if (socket_error == 0) return Status::kConnected;
  connector_.RecordFailure(socket_error);
  return Status::kRetry;
}

TransportStage::Status TransportStage::StepProxy(int fd, Error* error) {
  bool progress = false;
  while (!output_.empty()) {
    ssize_t n = send(fd, output_.data(), output_.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      *error = ProxySocketError(errno);
      return Status::kFailed;
    }
    output_.erase(0, static_cast<size_t>(n));
    progress = true;
  }
  char buffer[4096];
  ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
  proxy::Verdict verdict = proxy_->verdict();
  if (n > 0) {
    verdict = proxy_->Feed(reinterpret_cast<const uint8_t*>(buffer), static_cast<size_t>(n));
    output_ += proxy_->TakeOutput();
    progress = true;
  } else if (n == 0) {
    verdict = proxy_->OnEof();
  } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
    *error = ProxySocketError(errno);
    return Status::kFailed;
  }
  if (verdict == proxy::Verdict::kFailed) {
    *error = ProxyError(proxy_->error().code, proxy_->error().message);
    return Status::kFailed;
  }
  if (verdict == proxy::Verdict::kDone) return Status::kConnected;
  return progress ? Status::kProgress : Status::kWaiting;
}

std::string TransportStage::TakeLeftover() {
  std::string leftover = proxy_ ? proxy_->TakeLeftover() : std::string();
  proxy_.reset();
  return leftover;
}

}  // namespace native_ssh::core
