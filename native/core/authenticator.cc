#include "core/authenticator.h"

#include <cstdlib>
#include <cstring>

#include "core/callback_context.h"
#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

namespace {
constexpr const char* kAuthPrefix = "Auth error: ";
}

Authenticator::~Authenticator() { Release(); }

void Authenticator::Release() {
  if (agent_ != nullptr) {
    libssh2_agent_disconnect(agent_);
    libssh2_agent_free(agent_);
    agent_ = nullptr;
    identity_ = nullptr;
  }
}

void Authenticator::Start(LIBSSH2_SESSION* session, const std::string* username,
                          const AuthSpec* spec) {
  session_ = session;
  username_ = username;
  spec_ = spec;
  phase_ = Phase::kList;
}

bool Authenticator::Offers(const char* method) const {
  size_t start = 0;
  const size_t length = std::strlen(method);
  while (start <= methods_.size()) {
    size_t end = methods_.find(',', start);
    if (end == std::string::npos) end = methods_.size();
    if (end - start == length && methods_.compare(start, length, method) == 0) return true;
    start = end + 1;
  }
  return false;
}

Authenticator::Status Authenticator::Fail(int rc, const std::string& fallback_text) {
  std::string text = LastSshMessage(session_);
  if (rc == 0 || text.empty()) text = fallback_text;
  std::string code = codes::kAuthFailed;
  // A key that cannot be read or decrypted is the caller's input, not a refusal by the server.
  if (rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED)
    code = codes::kKeyInvalid;
  if (rc == LIBSSH2_ERROR_AGENT_PROTOCOL) code = codes::kAgentFailed;
  if (IsTransportError(rc)) code = codes::kConnectionLost;
  std::string suffix = rc != 0 ? " (libssh2 error " + std::to_string(rc) + ")" : "";
  error_ = MakeError(code, codes::kLevelAuth, kAuthPrefix + text + suffix, rc);
  phase_ = Phase::kDone;
  return Status::kFailed;
}

Authenticator::Status Authenticator::StepList() {
  char* list = libssh2_userauth_list(session_, username_->data(),
                                     static_cast<unsigned int>(username_->size()));
  if (list == nullptr) {
    if (libssh2_userauth_authenticated(session_)) return Status::kDone;  // "none" was accepted
    int rc = libssh2_session_last_errno(session_);
    if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
    return Fail(rc, "the server did not list its authentication methods");
  }
  methods_ = list;
  switch (spec_->type) {
    case AuthType::kPassword:
      if (Offers("password")) {
        phase_ = Phase::kPassword;
      } else if (Offers("keyboard-interactive")) {
        keyboard_with_password_ = true;
        phase_ = Phase::kKeyboard;
      } else {
        return Fail(0, "the server does not accept password logins (it offers: " + methods_ + ")");
      }
      break;
    case AuthType::kKeyboardInteractive:
      if (!Offers("keyboard-interactive")) {
        return Fail(0, "the server does not accept keyboard-interactive logins (it offers: " +
                           methods_ + ")");
      }
      phase_ = Phase::kKeyboard;
      break;
    case AuthType::kPrivateKey:
    case AuthType::kAgent:
      if (!Offers("publickey")) {
        return Fail(0,
                    "the server does not accept public key logins (it offers: " + methods_ + ")");
      }
      phase_ = spec_->type == AuthType::kAgent ? Phase::kAgentStart : Phase::kPublicKey;
      break;
  }
  return Status::kProgress;
}

static LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC(KeyboardCallback) {
  (void)name;
  (void)name_len;
  (void)instruction;
  (void)instruction_len;
  (void)prompts;
  auto* context = static_cast<CallbackContext*>(*abstract);
  if (context != nullptr && context->authenticator != nullptr) {
    context->authenticator->Answer(num_prompts, responses, context->blocks);
  }
}

void Authenticator::Answer(int num_prompts, LIBSSH2_USERAUTH_KBDINT_RESPONSE* responses,
                           BlockPool& memory) {
  static const std::string kNoAnswer;
  for (int i = 0; i < num_prompts; ++i) {
    // A reference, not a copy: a std::string copy of the answer would be freed unzeroed.
    const std::string* chosen = &kNoAnswer;
    if (keyboard_with_password_) {
      chosen = &spec_->password.reveal();
    } else if (next_answer_ < spec_->responses.size()) {
      chosen = &spec_->responses[next_answer_++].reveal();
    }
    const std::string& answer = *chosen;
    // libssh2 frees each answer with the session's allocator, so it must come from there (whose
    // Free() zeroes it: block_pool.h).
    char* copy = static_cast<char*>(memory.Alloc(answer.size() + 1));
    if (copy == nullptr) {
      responses[i].text = nullptr;
      responses[i].length = 0;
      continue;
    }
    std::memcpy(copy, answer.data(), answer.size());
    copy[answer.size()] = '\0';
    responses[i].text = copy;
    responses[i].length = static_cast<unsigned int>(answer.size());
  }
}

Authenticator::Status Authenticator::StepAgentStart() {
  agent_ = libssh2_agent_init(session_);
  if (agent_ == nullptr) return Fail(libssh2_session_last_errno(session_), "agent init failed");
  if (!spec_->agent_socket.empty()) {
    libssh2_agent_set_identity_path(agent_, spec_->agent_socket.c_str());
  }
  // The agent is a local Unix socket; these two calls are short and do not touch the network.
  if (libssh2_agent_connect(agent_) != 0) {
    error_ =
        MakeError(codes::kAgentFailed, codes::kLevelAuth,
                  std::string(kAuthPrefix) + "cannot reach the ssh-agent (is SSH_AUTH_SOCK set?)",
                  libssh2_session_last_errno(session_));
    phase_ = Phase::kDone;
    return Status::kFailed;
  }
  if (libssh2_agent_list_identities(agent_) != 0) {
    // Only the agent's socket is used here: whatever failed, it is the agent's failure.
    Fail(libssh2_session_last_errno(session_), "cannot list the agent's identities");
    error_.code = codes::kAgentFailed;
    return Status::kFailed;
  }
  identity_ = nullptr;
  int rc = libssh2_agent_get_identity(agent_, &identity_, nullptr);
  if (rc != 0) {
    error_ = MakeError(codes::kAuthFailed, codes::kLevelAuth,
                       std::string(kAuthPrefix) + "the ssh-agent holds no identities", 0);
    phase_ = Phase::kDone;
    return Status::kFailed;
  }
  phase_ = Phase::kAgentTry;
  return Status::kProgress;
}

Authenticator::Status Authenticator::StepAgentTry() {
  int rc = libssh2_agent_userauth(agent_, username_->c_str(), identity_);
  if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
  if (rc == 0) {
    phase_ = Phase::kDone;
    return Status::kDone;
  }
  if (IsTransportError(rc)) {
    Fail(rc, "connection lost during agent login");
    // libssh2 reports the agent's socket failing ("agent recv failed", "agent send failed") with
    // the same codes as the server's connection.
    if (LastSshMessage(session_).rfind("agent ", 0) == 0) error_.code = codes::kAgentFailed;
    return Status::kFailed;
  }
  ++identities_tried_;
  libssh2_agent_publickey* previous = identity_;
  int next = libssh2_agent_get_identity(agent_, &identity_, previous);
  if (next != 0) {
    error_ = MakeError(codes::kAuthFailed, codes::kLevelAuth,
                       std::string(kAuthPrefix) + "the server accepted none of the agent's " +
                           std::to_string(identities_tried_) + " identities",
                       rc);
    phase_ = Phase::kDone;
    return Status::kFailed;
  }
  return Status::kProgress;
}

Authenticator::Status Authenticator::Step() {
  int rc = 0;
  switch (phase_) {
    case Phase::kList: return StepList();
    case Phase::kPassword: {
      const std::string& password = spec_->password.reveal();
      rc = libssh2_userauth_password_ex(
          session_, username_->data(), static_cast<unsigned int>(username_->size()),
          password.data(), static_cast<unsigned int>(password.size()), nullptr);
      break;
    }
    case Phase::kKeyboard: {
      // libssh2 hands the session's abstract pointer (a CallbackContext) to the callback.
      auto* context = static_cast<CallbackContext*>(*libssh2_session_abstract(session_));
      context->authenticator = this;
      rc = libssh2_userauth_keyboard_interactive_ex(session_, username_->data(),
                                                    static_cast<unsigned int>(username_->size()),
                                                    &KeyboardCallback);
      context->authenticator = nullptr;
      break;
    }
    case Phase::kPublicKey: {
      const std::string& key = spec_->private_key.reveal();
      const std::string& passphrase = spec_->passphrase.reveal();
      rc = libssh2_userauth_publickey_frommemory(
          session_, username_->data(), username_->size(),
          spec_->public_key.empty() ? nullptr : spec_->public_key.data(), spec_->public_key.size(),
          key.data(), key.size(), passphrase.empty() ? nullptr : passphrase.c_str());
      break;
    }
    case Phase::kAgentStart: return StepAgentStart();
    case Phase::kAgentTry: return StepAgentTry();
    case Phase::kDone: return Status::kDone;
  }
  if (rc == LIBSSH2_ERROR_EAGAIN) return Status::kWaiting;
  if (rc != 0) return Fail(rc, "authentication failed");
  if (!libssh2_userauth_authenticated(session_)) {
    return Fail(0, "Authentication failed with no errors");
  }
  phase_ = Phase::kDone;
  return Status::kDone;
}

}  // namespace native_ssh::core
