#include "core/tcp_connector.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/ssh_error.h"

namespace native_ssh::core {

void TcpConnector::Reset(const std::vector<Address>* addresses, uint16_t port) {
  addresses_ = addresses;
  port_ = port;
  next_ = 0;
  fd_ = -1;
  last_error_.clear();
}

TcpConnector::Status TcpConnector::Begin() {
  while (addresses_ != nullptr && next_ < addresses_->size()) {
    const Address& address = (*addresses_)[next_++];
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (address.family == 6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(port_);
      if (inet_pton(AF_INET6, address.ip.c_str(), &in6->sin6_addr) != 1) {
        last_error_ = "invalid IPv6 address " + address.ip;
        continue;
      }
      length = sizeof(sockaddr_in6);
      current_ = "[" + address.ip + "]:" + std::to_string(port_);
    } else {
      auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
      in4->sin_family = AF_INET;
      in4->sin_port = htons(port_);
      if (inet_pton(AF_INET, address.ip.c_str(), &in4->sin_addr) != 1) {
        last_error_ = "invalid IPv4 address " + address.ip;
        continue;
      }
      length = sizeof(sockaddr_in);
      current_ = address.ip + ":" + std::to_string(port_);
    }
    int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error_ = OsErrorText(errno);
      continue;
    }
    if (connect(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0) {
      fd_ = fd;
      return Status::kConnected;
    }
    if (errno == EINPROGRESS) {
      fd_ = fd;
      return Status::kInProgress;
    }
    last_error_ = OsErrorText(errno) + " connecting to " + current_;
    close(fd);
  }
  if (last_error_.empty()) last_error_ = "no address to connect to";
  return Status::kFailed;
}

void TcpConnector::RecordFailure(int err) {
  last_error_ = OsErrorText(err) + " connecting to " + current_;
}

int TcpConnector::TakeFd() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void TuneSocket(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

}  // namespace native_ssh::core
