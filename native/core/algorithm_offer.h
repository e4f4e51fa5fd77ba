// What one connection offers in the key exchange: the caller's algorithm lists, each name checked
// against what libssh2 implements, or OpenSSH 9.x client's defaults (algorithms.h); host key
// algorithms in OpenSSH's order with the types known_hosts records for the host first; and, when
// the negotiation fails, which category failed, with both sides' lists; once it succeeded, what
// was agreed.
//
// Owned by one Session; engine thread only (it calls libssh2 on that session's handle).
#ifndef NATIVE_SSH_CORE_ALGORITHM_OFFER_H_
#define NATIVE_SSH_CORE_ALGORITHM_OFFER_H_

#include <libssh2.h>

#include <string>
#include <vector>

#include "core/kexinit_sniffer.h"
#include "core/messages.h"

namespace native_ssh::core {

class AlgorithmOffer {
 public:
  // Sets every method preference on `ssh` before the handshake. The lists the caller left empty
  // are filled in `request` with the defaults, so that a failed negotiation names what was
  // offered. `known_host_key_algorithms`: what known_hosts records for the host, in the order to
  // prefer. False with `error` (INVALID_SETTINGS) when a list names what libssh2 lacks.
  bool Apply(LIBSSH2_SESSION* ssh, ConnectRequest* request,
             const std::vector<std::string>& known_host_key_algorithms, Error* error);

  // After a failed handshake: which category found nothing in common, with both offers ("" when
  // the server's KEXINIT was not seen).
  std::string ExplainFailure(LIBSSH2_SESSION* ssh, const ConnectRequest& request,
                             const KexinitSniffer& sniffer) const;

  // After the key exchange: the algorithms agreed on, into `event` (kex, host_key_algorithm,
  // cipher_cs / cipher_sc, mac_cs / mac_sc: "<implicit>" for AEAD ciphers, as OpenSSH says).
  static void DescribeAgreed(LIBSSH2_SESSION* ssh, Event* event);

 private:
  std::string host_key_offer_;  // our host key algorithm list, when we set one
};

// The names libssh2 implements for `method` (LIBSSH2_METHOD_*).
std::vector<std::string> SupportedAlgorithms(LIBSSH2_SESSION* ssh, int method);

}  // namespace native_ssh::core

#endif  // NATIVE_SSH_CORE_ALGORITHM_OFFER_H_
