// Non-blocking TCP connect over a list of resolved addresses, tried in order (the first that
// accepts wins). Creates the sockets; the caller owns each one it is handed. Engine thread only.
#ifndef NATIVE_SSH_CORE_TCP_CONNECTOR_H_
#define NATIVE_SSH_CORE_TCP_CONNECTOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/messages.h"

namespace native_ssh::core {

class TcpConnector {
 public:
  enum class Status { kInProgress, kConnected, kFailed };

  void Reset(const std::vector<Address>* addresses, uint16_t port);
  // Starts the next attempt. kInProgress: wait until the socket (TakeFd) is writable, then read
  // SO_ERROR; on failure call RecordFailure and Begin again.
  // kConnected: connected at once. kFailed: no address left; last_error() says why.
  Status Begin();
  // The attempt on the socket handed out last failed with `err` (from SO_ERROR).
  void RecordFailure(int err);
  // The socket now belongs to the caller.
  int TakeFd();
  const std::string& last_error() const { return last_error_; }
  const std::string& current_address() const { return current_; }

 private:
  const std::vector<Address>* addresses_ = nullptr;
  uint16_t port_ = 0;
  size_t next_ = 0;
  int fd_ = -1;
  std::string last_error_;
  std::string current_;
};

// Sets TCP_NODELAY (SSH packets are small and latency-bound) and close-on-exec.
void TuneSocket(int fd);

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_TCP_CONNECTOR_H_
