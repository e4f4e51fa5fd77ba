#include "secret.h"

#include <openssl/crypto.h>

namespace native_ssh::core {

void Secret::Wipe() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

}  // namespace native_ssh::core
