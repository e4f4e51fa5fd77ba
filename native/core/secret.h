// A string that holds a secret (password, passphrase, key text, keyboard answer): its bytes are
// wiped when it is destroyed or overwritten, and it has no stream operator, so it cannot be logged
// by accident.
#ifndef NATIVE_SSH_CORE_SECRET_H_
#define NATIVE_SSH_CORE_SECRET_H_

#include <string>
#include <utility>

namespace native_ssh::core {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
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

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  size_t size() const { return value_.size(); }

  void Wipe();

 private:
  std::string value_;
};

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_SECRET_H_
