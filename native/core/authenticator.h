// User authentication after the key exchange (RFC 4252): asks the server which methods it takes,
// then logs in with the configured method. Password logins fall back to keyboard-interactive
// (answering every prompt with the password) when the server offers only that, as PAM servers do.
// Agent logins try every identity the agent holds. Owns the agent handle and the answer cursor.
// Engine thread only; driven by Session through Step().
#ifndef NATIVE_SSH_CORE_AUTHENTICATOR_H_
#define NATIVE_SSH_CORE_AUTHENTICATOR_H_

#include <libssh2.h>

#include <string>

#include "core/messages.h"
#include "core/util/block_pool.h"

namespace native_ssh::core {

class Authenticator {
 public:
  enum class Status { kWaiting, kProgress, kDone, kFailed };

  Authenticator() = default;
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  void Start(LIBSSH2_SESSION* session, const std::string* username, const AuthSpec* spec);
  // Frees the agent handle; must run before the session is freed (the agent uses it).
  void Release();
  Status Step();
  const Error& error() const { return error_; }
  const std::string& methods() const { return methods_; }

  // The keyboard-interactive callback (called by libssh2 inside Step): fills `responses`.
  // Answers from the session's memory (`memory`): libssh2 frees them with its allocator.
  void Answer(int num_prompts, LIBSSH2_USERAUTH_KBDINT_RESPONSE* responses, BlockPool& memory);

 private:
  enum class Phase { kList, kPassword, kKeyboard, kPublicKey, kAgentStart, kAgentTry, kDone };

  Status StepList();
  Status StepAgentStart();
  Status StepAgentTry();
  Status Fail(int rc, const std::string& fallback_text);
  bool Offers(const char* method) const;

  LIBSSH2_SESSION* session_ = nullptr;
  const std::string* username_ = nullptr;
  const AuthSpec* spec_ = nullptr;
  Phase phase_ = Phase::kList;
  std::string methods_;
  bool keyboard_with_password_ = false;
  size_t next_answer_ = 0;
  LIBSSH2_AGENT* agent_ = nullptr;
  libssh2_agent_publickey* identity_ = nullptr;
  int identities_tried_ = 0;
  Error error_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_AUTHENTICATOR_H_
