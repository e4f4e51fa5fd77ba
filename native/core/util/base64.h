// Base64 (RFC 4648 §4: standard alphabet, '=' padding, no line breaks), shared by the known_hosts
// code (keys, salts and hashes in the file; fingerprints) and the HTTP CONNECT proxy (the Basic
// credentials of RFC 7617 §2). Pure functions: any thread may call them.

#ifndef NATIVE_SSH_CORE_UTIL_BASE64_H_
#define NATIVE_SSH_CORE_UTIL_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace native_ssh::core {

// Encodes bytes with the standard alphabet and '=' padding (RFC 4648 §4), no line breaks.
std::string Base64Encode(std::string_view bytes);
// The same, appended to *out after one reserve(): *out is not reallocated again while the
// encoding is written, so when *out already has room (the HTTP proxy request, whose Basic token
// is a secret) no copy of it is left in a freed buffer.
void Base64EncodeTo(std::string_view bytes, std::string* out);
// Length of the encoding of `size` bytes.
inline size_t Base64Length(size_t size) { return (size + 2) / 3 * 4; }

// Decodes canonical base64 only: length a multiple of 4, padding only at the end, zero pad bits
// (so that Base64Encode(*Base64Decode(t)) == t). std::nullopt otherwise.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_UTIL_BASE64_H_
