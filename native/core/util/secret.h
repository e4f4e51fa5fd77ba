// A string that holds a secret (password, passphrase, key text, keyboard answer): every byte of its
// buffer is zeroed when it is destroyed, overwritten or moved from (WipeString: the whole capacity,
// so the inline buffer of a short string too), and it has no stream operator, so it cannot be
// logged by accident. Any thread; one at a time per object.
#ifndef NATIVE_SSH_CORE_UTIL_SECRET_H_
#define NATIVE_SSH_CORE_UTIL_SECRET_H_

#include <string>
#include <utility>

#include "core/util/wipe.h"

namespace native_ssh::core {

class Secret {
 public:
  Secret() = default;
  // Takes the bytes of `value`; what a move leaves in `value` (a short string's inline bytes) is
  // zeroed.
  explicit Secret(std::string value) : value_(std::move(value)) { WipeString(&value); }
  Secret(const Secret& other) : value_(other.value_) {}
  Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  Secret& operator=(const Secret& other) {
    if (this != &other) {
      Wipe();
      value_ = other.value_;
    }
    return *this;
  }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      Wipe();
      value_ = std::move(other.value_);
      other.Wipe();
    }
    return *this;
  }
  ~Secret() { Wipe(); }

  // A secret of `size` zero bytes, to be filled in place through data() and then Truncate()d:
  // the binding converts JavaScript strings straight into it, with no copy in between.
  static Secret Zeroed(size_t size) {
    Secret secret;
    secret.value_.assign(size, '\0');
    return secret;
  }
  char* data() { return value_.data(); }
  // Shortens the secret (the bytes cut off stay in the buffer until Wipe(), which zeroes all of
  // it).
  void Truncate(size_t size) {
    if (size < value_.size()) value_.resize(size);
  }

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }

  // Zeroes the whole buffer and releases it.
  void Wipe() { WipeString(&value_); }

 private:
  std::string value_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_UTIL_SECRET_H_
