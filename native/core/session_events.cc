#include "core/session_events.h"

#include <utility>

#include "core/algorithm_offer.h"

namespace native_ssh::core {

void SessionEvents::Begin(uint64_t connect_request_id, const ConnectRequest& request) {
  connect_request_id_ = connect_request_id;
  notice_request_id_ = request.notice_request_id;
  debug_ = request.debug;
}

void SessionEvents::Notice(const char* type, const std::string& message, const Error* error) {
  if (notice_request_id_ == 0) return;
  Event event;
  event.request_id = notice_request_id_;
  event.kind = EventKind::kNotice;
  event.notice = true;
  event.final = false;
  event.info["type"] = type;
  if (error != nullptr) {
    event.ok = false;
    event.error = *error;
  } else {
    event.info["message"] = message;
  }
  Send(std::move(event));
}

void SessionEvents::Lost(const Error& error) {
  if (lost_noticed_) return;
  lost_noticed_ = true;
  Notice("lost", std::string(), &error);
}

Event SessionEvents::HostKeyEvent() const {
  Event event;
  event.request_id = connect_request_id_;
  event.kind = EventKind::kHostKey;
  event.final = false;
  return event;
}

void SessionEvents::ConnectFailed(Error error) {
  Send(Event::Failed(connect_request_id_, EventKind::kConnected, std::move(error)));
}

void SessionEvents::Connected(LIBSSH2_SESSION* ssh, const HostKeyStage& host_key,
                              const Authenticator& authenticator, AuthType auth_type) {
  Event event;
  event.request_id = connect_request_id_;
  event.kind = EventKind::kConnected;
  host_key.Describe(&event);
  const char* banner = libssh2_session_banner_get(ssh);
  if (banner != nullptr) event.info["banner"] = banner;
  AlgorithmOffer::DescribeAgreed(ssh, &event);
  event.info["auth_methods"] = authenticator.methods();
  static const char* const kAuthNames[] = {"password", "publickey", "agent",
                                           "keyboard-interactive"};
  // (The line's lookups also give the event every algorithm key, empty when libssh2 had none.)
  Debug(std::string("logged in with ") + kAuthNames[static_cast<int>(auth_type)] +
        " (server offers " + authenticator.methods() + "); kex " + event.info["kex"] +
        ", host key " + event.info["host_key_algorithm"] + ", cipher " + event.info["cipher_cs"] +
        " / " + event.info["cipher_sc"] + ", mac " + event.info["mac_cs"] + " / " +
        event.info["mac_sc"]);
  if (!host_key.notes().empty()) event.info["known_hosts_notes"] = host_key.notes();
  Send(std::move(event));
}

void SessionEvents::AddCloseRequest(uint64_t request_id) {
  if (request_id != 0) close_request_ids_.push_back(request_id);
}

void SessionEvents::Closed() {
  for (uint64_t request_id : close_request_ids_) {
    Event event;
    event.request_id = request_id;
    event.kind = EventKind::kClosed;
    Send(std::move(event));
  }
  close_request_ids_.clear();
}

}  // namespace native_ssh::core
