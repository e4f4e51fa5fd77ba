// Base64 encoding for the HTTP Basic credentials of the CONNECT request (RFC 7617 §2).

#ifndef NATIVE_SSH_CORE_PROXY_BASE64_H_
#define NATIVE_SSH_CORE_PROXY_BASE64_H_

#include <string>
#include <string_view>

namespace native_ssh::core::proxy {

// Encodes bytes with the standard alphabet of RFC 4648 §4, with '=' padding, no line breaks.
// A pure function: any thread may call it.
std::string Base64Encode(std::string_view bytes);

}  // namespace native_ssh::core::proxy

#endif  // NATIVE_SSH_CORE_PROXY_BASE64_H_
