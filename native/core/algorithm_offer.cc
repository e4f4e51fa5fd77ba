#include "core/algorithm_offer.h"

#include <algorithm>

#include "core/algorithms.h"
#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

std::vector<std::string> SupportedAlgorithms(LIBSSH2_SESSION* ssh, int method) {
  std::vector<std::string> supported;
  const char** names = nullptr;
  int count = libssh2_session_supported_algs(ssh, method, &names);
  for (int i = 0; i < count; ++i) supported.emplace_back(names[i]);
  if (names != nullptr) libssh2_free(ssh, names);
  return supported;
}

bool AlgorithmOffer::Apply(LIBSSH2_SESSION* ssh, ConnectRequest* request,
                           const std::vector<std::string>& known_host_key_algorithms,
                           Error* error) {
  const struct {
    const std::string* list;
    int method;
    const char* field;
  } kPrefs[] = {
      {&request->kex_algorithms, LIBSSH2_METHOD_KEX, "algorithms.kex"},
      {&request->ciphers, LIBSSH2_METHOD_CRYPT_CS, "algorithms.cipher"},
      {&request->ciphers, LIBSSH2_METHOD_CRYPT_SC, "algorithms.cipher"},
      {&request->macs, LIBSSH2_METHOD_MAC_CS, "algorithms.mac"},
      {&request->macs, LIBSSH2_METHOD_MAC_SC, "algorithms.mac"},
      {&request->host_key_algorithms, LIBSSH2_METHOD_HOSTKEY, "algorithms.hostKey"},
  };
  // Lists the caller did not name: OpenSSH's client defaults (the host key list comes last,
  // ordered by what known_hosts records). Stored in the request so that a failed negotiation
  // names what was offered.
  if (request->kex_algorithms.empty()) {
    request->kex_algorithms =
        DefaultAlgorithms(AlgorithmKind::kKex, SupportedAlgorithms(ssh, LIBSSH2_METHOD_KEX));
  }
  if (request->ciphers.empty()) {
    request->ciphers = DefaultAlgorithms(AlgorithmKind::kCipher,
                                         SupportedAlgorithms(ssh, LIBSSH2_METHOD_CRYPT_CS));
  }
  if (request->macs.empty()) {
    request->macs =
        DefaultAlgorithms(AlgorithmKind::kMac, SupportedAlgorithms(ssh, LIBSSH2_METHOD_MAC_CS));
  }
  for (const auto& pref : kPrefs) {
    if (pref.list->empty()) continue;
    // Every name must be one libssh2 implements: libssh2's own check passes a list with one
    // known name, and for key exchange it adds pseudo-names of its own, so it never fails there.
    const std::vector<std::string> supported = SupportedAlgorithms(ssh, pref.method);
    std::string unknown;
    size_t start = 0;
    while (start <= pref.list->size()) {
      size_t end = pref.list->find(',', start);
      if (end == std::string::npos) end = pref.list->size();
      const std::string name = pref.list->substr(start, end - start);
      if (IsExtensionMarker(name) ||
          std::find(supported.begin(), supported.end(), name) == supported.end()) {
        unknown += (unknown.empty() ? "" : ", ") + ("'" + name + "'");
      }
      start = end + 1;
    }
    if (!unknown.empty() ||
        libssh2_session_method_pref(ssh, pref.method, pref.list->c_str()) != 0) {
      std::string list;
      for (const std::string& name : supported) {
        if (IsExtensionMarker(name)) continue;
        list += (list.empty() ? "" : ",") + name;
      }
      *error = MakeError(codes::kInvalidSettings, codes::kLevelSettings,
                         std::string("Settings error: ") + pref.field + " names " +
                             (unknown.empty() ? std::string("no algorithm") : unknown) +
                             " that libssh2 does not support (supported: " + list + ")");
      return false;
    }
    if (pref.method == LIBSSH2_METHOD_HOSTKEY) host_key_offer_ = *pref.list;
  }
  if (request->host_key_algorithms.empty()) {
    // OpenSSH's order with the types known_hosts records for this host first (none with policy
    // off), so that the check means what OpenSSH's means.
    const std::string list =
        HostKeyOffer(known_host_key_algorithms, SupportedAlgorithms(ssh, LIBSSH2_METHOD_HOSTKEY));
    if (!list.empty() &&
        libssh2_session_method_pref(ssh, LIBSSH2_METHOD_HOSTKEY, list.c_str()) == 0) {
      host_key_offer_ = list;
    }
  }
  return true;
}

std::string AlgorithmOffer::ExplainFailure(LIBSSH2_SESSION* ssh, const ConnectRequest& request,
                                           const KexinitSniffer& sniffer) const {
  static const int kMethods[KexinitSniffer::kListCount] = {
      LIBSSH2_METHOD_KEX,      LIBSSH2_METHOD_HOSTKEY, LIBSSH2_METHOD_CRYPT_CS,
      LIBSSH2_METHOD_CRYPT_SC, LIBSSH2_METHOD_MAC_CS,  LIBSSH2_METHOD_MAC_SC,
      LIBSSH2_METHOD_COMP_CS,  LIBSSH2_METHOD_COMP_SC};
  std::string ours[KexinitSniffer::kListCount];
  for (int i = 0; i < KexinitSniffer::kListCount; ++i) {
    if (i == KexinitSniffer::kHostKey && !host_key_offer_.empty()) {
      ours[i] = host_key_offer_;
      continue;
    }
    const std::string* chosen =
        i == KexinitSniffer::kKex                                          ? &request.kex_algorithms
        : i <= KexinitSniffer::kCipherSc && i >= KexinitSniffer::kCipherCs ? &request.ciphers
        : i <= KexinitSniffer::kMacSc && i >= KexinitSniffer::kMacCs       ? &request.macs
                                                                           : nullptr;
    if (chosen != nullptr && !chosen->empty()) {
      ours[i] = *chosen;
      continue;
    }
    if (i >= KexinitSniffer::kCompCs) {
      ours[i] = "none";  // compression is not enabled
      continue;
    }
    const char** algorithms = nullptr;
    int count = libssh2_session_supported_algs(ssh, kMethods[i], &algorithms);
    for (int j = 0; j < count; ++j) ours[i] += (j ? "," : "") + std::string(algorithms[j]);
    if (algorithms != nullptr) libssh2_free(ssh, algorithms);
  }
  return DescribeNegotiationFailure(ours, sniffer);
}

void AlgorithmOffer::DescribeAgreed(LIBSSH2_SESSION* ssh, Event* event) {
  static const struct {
    int method;
    const char* name;
  } kMethods[] = {
      {LIBSSH2_METHOD_KEX, "kex"},
      {LIBSSH2_METHOD_HOSTKEY, "host_key_algorithm"},
      {LIBSSH2_METHOD_CRYPT_CS, "cipher_cs"},
      {LIBSSH2_METHOD_CRYPT_SC, "cipher_sc"},
      {LIBSSH2_METHOD_MAC_CS, "mac_cs"},
      {LIBSSH2_METHOD_MAC_SC, "mac_sc"},
  };
  for (const auto& method : kMethods) {
    const char* value = libssh2_session_methods(ssh, method.method);
    if (value != nullptr) event->info[method.name] = value;
  }
  // AEAD ciphers carry their own integrity: the negotiated MAC name is not used (OpenSSH says
  // "<implicit>"; libssh2 reports an invented name or the unused MAC).
  for (const char* direction : {"cs", "sc"}) {
    const std::string cipher = event->info[std::string("cipher_") + direction];
    if (cipher.find("-gcm@openssh.com") != std::string::npos ||
        cipher.find("chacha20-poly1305") != std::string::npos) {
      event->info[std::string("mac_") + direction] = "<implicit>";
    }
  }
}

}  // namespace native_ssh::core
