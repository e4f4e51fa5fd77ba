#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_session (native/fuzz/fuzz_session.cc) to
native/fuzz/corpus/fuzz_session/ (or the directory given as the first argument), or with
--regressions [dir] the hand-made reproducers of its findings to
native/fuzz/regressions/fuzz_session/ (see the README there).

Every seed is the harness's four configuration bytes (feed, kex, host key, script; see the layout
in fuzz_session.cc) followed by what a server sends: its banner, its KEXINIT (OpenSSH 9.2's
default lists, or lists with the "none" cipher and MAC for the plaintext seeds), a key exchange
reply for each kex family, NEWKEYS and, in the plaintext seeds, a login and an exec channel.

The key exchange replies carry either a real-looking host key with a signature that cannot
verify (RSA, ECDSA: the parsers are reached, the handshake fails at the signature) or an
ssh-ed25519 host key that is the identity point with the all-zero-S signature, which verifies for
any exchange hash, so the handshake completes. The servers' public values are the curves' base
points and f = 2. Standard library only; deterministic output.
"""

import os
import struct
import sys
import zlib

# ---- SSH encodings ----------------------------------------------------------------------------


def u32(n):
    return struct.pack(">I", n)


def string(b):
    if isinstance(b, str):
        b = b.encode()
    return u32(len(b)) + b


def mpint(n):
    if n == 0:
        return u32(0)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    if b[0] & 0x80:
        b = b"\x00" + b
    return string(b)


def boolean(v):
    return b"\x01" if v else b"\x00"


def packet(payload, block=8):
    """An unencrypted binary packet (no MAC): length, padding length, payload, padding."""
    pad = block - (5 + len(payload)) % block
    if pad < 4:
        pad += block
    return u32(1 + len(payload) + pad) + bytes([pad]) + payload + bytes(pad)


# ---- messages ---------------------------------------------------------------------------------

MSG_DISCONNECT, MSG_IGNORE, MSG_UNIMPLEMENTED, MSG_DEBUG = 1, 2, 3, 4
MSG_SERVICE_ACCEPT, MSG_EXT_INFO, MSG_KEXINIT, MSG_NEWKEYS = 6, 7, 20, 21
MSG_KEX_REPLY, MSG_GEX_GROUP, MSG_GEX_REPLY = 31, 31, 33
MSG_USERAUTH_FAILURE, MSG_USERAUTH_SUCCESS, MSG_USERAUTH_BANNER = 51, 52, 53
MSG_USERAUTH_INFO_REQUEST = 60
MSG_GLOBAL_REQUEST, MSG_REQUEST_FAILURE = 80, 82
MSG_CHANNEL_OPEN_CONFIRMATION, MSG_CHANNEL_OPEN_FAILURE = 91, 92
MSG_CHANNEL_WINDOW_ADJUST, MSG_CHANNEL_DATA, MSG_CHANNEL_EXTENDED_DATA = 93, 94, 95
MSG_CHANNEL_EOF, MSG_CHANNEL_CLOSE, MSG_CHANNEL_REQUEST = 96, 97, 98
MSG_CHANNEL_SUCCESS, MSG_CHANNEL_FAILURE = 99, 100

BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"

OPENSSH_KEX = (
    "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
    "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
    "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com"
)
ALL_KEX = OPENSSH_KEX + (
    ",diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1"
)
OPENSSH_HOSTKEYS = "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"
ALL_HOSTKEYS = (
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
    "rsa-sha2-512,rsa-sha2-256,ssh-rsa"
)
OPENSSH_CIPHERS = (
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com"
)
OPENSSH_MACS = (
    "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
    "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
    "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"
)


def kexinit(kex=OPENSSH_KEX, hostkeys=OPENSSH_HOSTKEYS, ciphers=OPENSSH_CIPHERS,
            macs=OPENSSH_MACS, comp="none,zlib@openssh.com", ciphers_sc=None, macs_sc=None):
    """The server's KEXINIT; the *_sc lists default to the client-to-server ones."""
    cookie = bytes(range(0x10, 0x20))
    ciphers_sc = ciphers if ciphers_sc is None else ciphers_sc
    macs_sc = macs if macs_sc is None else macs_sc
    lists = [kex, hostkeys, ciphers, ciphers_sc, macs, macs_sc, comp, comp, "", ""]
    return (bytes([MSG_KEXINIT]) + cookie + b"".join(string(x) for x in lists) + boolean(False)
            + u32(0))


# ---- host keys and signatures -----------------------------------------------------------------

# The identity point of edwards25519 and a signature (R = identity, S = 0) that it verifies for
# every message.
ED25519_IDENTITY = b"\x01" + bytes(31)
ED25519_IDENTITY_SIG = b"\x01" + bytes(63)


def ed25519_key():
    return string("ssh-ed25519") + string(ED25519_IDENTITY)


def ed25519_sig():
    return string("ssh-ed25519") + string(ED25519_IDENTITY_SIG)


CURVES = {  # name: (x, y, coordinate size) of the base point
    "nistp256": (
        "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296",
        "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5",
        32,
    ),
    "nistp384": (
        "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A38"
        "5502F25DBF55296C3A545E3872760AB7",
        "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C0"
        "0A60B1CE1D7E819D7A431D7C90EA0E5F",
        48,
    ),
    "nistp521": (
        "00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D"
        "3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66",
        "011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E"
        "662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650",
        66,
    ),
}


def curve_point(name):
    """The curve's base point, uncompressed: a valid public value and a valid ECDSA key."""
    x, y, size = CURVES[name]
    return b"\x04" + int(x, 16).to_bytes(size, "big") + int(y, 16).to_bytes(size, "big")


def ecdsa_key(curve):
    return string("ecdsa-sha2-" + curve) + string(curve) + string(curve_point(curve))


def ecdsa_sig(curve):
    return string("ecdsa-sha2-" + curve) + string(mpint(0x1234567) + mpint(0x7654321))


# An RSA public key of 2048 bits that is nobody's (the parsers do not check it is a product of
# two primes), and a signature of its length that cannot verify.
RSA_N = (1 << 2047) | int.from_bytes(bytes((i * 73 + 11) & 0xFF for i in range(256)), "big") | 1


def rsa_key():
    return string("ssh-rsa") + mpint(65537) + mpint(RSA_N)


def rsa_sig(name="rsa-sha2-512"):
    return string(name) + string(bytes((i * 29 + 7) & 0xFF for i in range(256)))


# RFC 3526's 2048-bit MODP group (diffie-hellman-group14): the GEX seeds' group.
GROUP14_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA4836"
    "1C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804"
    "F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6"
    "9558171839954 97CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF".replace(" ", ""),
    16)


# ---- key exchange replies ---------------------------------------------------------------------

# The harness's kex and host key indices (kKex and kHostKeys in fuzz_session.cc).
KEX = {
    "default": 0, "curve25519-sha256": 1, "curve25519-sha256@libssh.org": 2,
    "ecdh-sha2-nistp256": 3, "ecdh-sha2-nistp384": 4, "ecdh-sha2-nistp521": 5,
    "diffie-hellman-group14-sha256": 6, "diffie-hellman-group14-sha1": 7,
    "diffie-hellman-group16-sha512": 8, "diffie-hellman-group18-sha512": 9,
    "diffie-hellman-group-exchange-sha256": 10, "diffie-hellman-group-exchange-sha1": 11,
    "diffie-hellman-group1-sha1": 12,
}
HOSTKEY = {
    "default": 0, "ssh-ed25519": 1, "ecdsa-sha2-nistp256": 2, "ecdsa-sha2-nistp384": 3,
    "ecdsa-sha2-nistp521": 4, "rsa-sha2-512": 5, "rsa-sha2-256": 6, "ssh-rsa": 7,
}


def kex_reply(kex, key=None, sig=None):
    """The server's messages of one key exchange, up to and with its NEWKEYS."""
    key = key if key is not None else ed25519_key()
    sig = sig if sig is not None else ed25519_sig()
    if kex.startswith("curve25519"):
        public = string(b"\x09" + bytes(31))  # the X25519 base point
        return (packet(bytes([MSG_KEX_REPLY]) + string(key) + public + string(sig))
                + packet(bytes([MSG_NEWKEYS])))
    if kex.startswith("ecdh-sha2-"):
        public = string(curve_point(kex[len("ecdh-sha2-"):]))
        return (packet(bytes([MSG_KEX_REPLY]) + string(key) + public + string(sig))
                + packet(bytes([MSG_NEWKEYS])))
    if kex.startswith("diffie-hellman-group-exchange"):
        group = packet(bytes([MSG_GEX_GROUP]) + mpint(GROUP14_P) + mpint(2))
        return (group + packet(bytes([MSG_GEX_REPLY]) + string(key) + mpint(2) + string(sig))
                + packet(bytes([MSG_NEWKEYS])))
    return (packet(bytes([MSG_KEX_REPLY]) + string(key) + mpint(2) + string(sig))
            + packet(bytes([MSG_NEWKEYS])))


# ---- after NEWKEYS, in the clear (the "none" cipher and MAC) ----------------------------------

PLAIN_KEXINIT = dict(kex=ALL_KEX, hostkeys=ALL_HOSTKEYS, ciphers="none", macs="none")


def service_accept():
    return packet(bytes([MSG_SERVICE_ACCEPT]) + string("ssh-userauth"))


def ext_info():
    return packet(bytes([MSG_EXT_INFO]) + u32(2) + string("server-sig-algs")
                  + string("ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256")
                  + string("publickey-hostbound@openssh.com") + string("0"))


def success():
    return packet(bytes([MSG_USERAUTH_SUCCESS]))


def failure(methods="publickey,password,keyboard-interactive", partial=False):
    return packet(bytes([MSG_USERAUTH_FAILURE]) + string(methods) + boolean(partial))


def auth_banner(text="Authorized use only.\r\n"):
    return packet(bytes([MSG_USERAUTH_BANNER]) + string(text) + string(""))


def info_request(prompts):
    body = string("fuzz login") + string("Answer the questions.") + string("") + u32(len(prompts))
    for text, echo in prompts:
        body += string(text) + boolean(echo)
    return packet(bytes([MSG_USERAUTH_INFO_REQUEST]) + body)


def hostkeys_announcement():
    return packet(bytes([MSG_GLOBAL_REQUEST]) + string("hostkeys-00@openssh.com") + boolean(False)
                  + string(ed25519_key()) + string(ecdsa_key("nistp256")))


def open_confirmation(local=0, remote=7, window=2 * 1024 * 1024, max_packet=32768):
    return packet(bytes([MSG_CHANNEL_OPEN_CONFIRMATION]) + u32(local) + u32(remote) + u32(window)
                  + u32(max_packet))


def open_failure(local=0, reason=4):
    return packet(bytes([MSG_CHANNEL_OPEN_FAILURE]) + u32(local) + u32(reason)
                  + string("open failed") + string(""))


def channel_success(local=0):
    return packet(bytes([MSG_CHANNEL_SUCCESS]) + u32(local))


def channel_failure(local=0):
    return packet(bytes([MSG_CHANNEL_FAILURE]) + u32(local))


def window_adjust(local=0, n=2 * 1024 * 1024):
    return packet(bytes([MSG_CHANNEL_WINDOW_ADJUST]) + u32(local) + u32(n))


def data(text, local=0):
    return packet(bytes([MSG_CHANNEL_DATA]) + u32(local) + string(text))


def extended(text, local=0):
    return packet(bytes([MSG_CHANNEL_EXTENDED_DATA]) + u32(local) + u32(1) + string(text))


def exit_status(code=0, local=0):
    return packet(bytes([MSG_CHANNEL_REQUEST]) + u32(local) + string("exit-status") + boolean(False)
                  + u32(code))


def exit_signal(name="TERM", local=0):
    return packet(bytes([MSG_CHANNEL_REQUEST]) + u32(local) + string("exit-signal") + boolean(False)
                  + string(name) + boolean(True) + string("killed") + string("en"))


def eof(local=0):
    return packet(bytes([MSG_CHANNEL_EOF]) + u32(local))


def close(local=0):
    return packet(bytes([MSG_CHANNEL_CLOSE]) + u32(local))


def ignore(text=b"padding"):
    return packet(bytes([MSG_IGNORE]) + string(text))


def debug(text="debug message"):
    return packet(bytes([MSG_DEBUG]) + boolean(True) + string(text) + string("en"))


def disconnect(reason=11, text="bye"):
    return packet(bytes([MSG_DISCONNECT]) + u32(reason) + string(text) + string("en"))


def exec_replies(pty=False, env=False):
    out = open_confirmation()
    if env:
        out += channel_failure()  # sshd refuses names outside AcceptEnv
    if pty:
        out += channel_success()
    out += window_adjust() + channel_success()
    out += data("fuzz\n") + extended("warning: fuzz\n")
    return out


def config(feed=0, kex="default", hostkey="default", script=0):
    return bytes([feed, KEX[kex], HOSTKEY[hostkey], script])


# Feed bits (fuzz_session.cc): chunk pattern, -EAGAIN frequency, allocator, compression, none.
F_BYTE, F_RANDOM_SMALL, F_RANDOM_LARGE = 1, 6, 7
F_EAGAIN_ALWAYS, F_EAGAIN_HALF = 1 << 3, 3 << 3
F_POOL, F_COMPRESS, F_PLAIN = 0x20, 0x40, 0x80
# Script bits: login, pty, setenv, stdin, keepalive, signal, one-step open.
S_LIST, S_KBD, S_PTY, S_ENV, S_STDIN, S_KEEPALIVE, S_SIGNAL, S_ONE_STEP = (
    1, 2, 4, 8, 16, 32, 64, 128)


def seeds():
    out = {}
    hello = BANNER + packet(kexinit())
    out["banner-kexinit-openssh"] = config() + hello
    out["banner-kexinit-1byte-eagain"] = config(F_BYTE | F_EAGAIN_ALWAYS) + hello
    out["prebanner-lines"] = (config() + b"Welcome to the fuzz host\r\nsecond line\n\r\n" + hello)
    out["banner-only-lf"] = config() + b"SSH-2.0-dropbear_2022.83\n" + packet(kexinit())
    out["banner-then-disconnect"] = config() + BANNER + disconnect(2, "too many connections")
    out["unknown-messages-before-kexinit"] = (
        config() + BANNER + ignore() + debug() + packet(bytes([MSG_UNIMPLEMENTED]) + u32(3))
        + packet(bytes([200]) + b"unknown") + packet(kexinit(kex=ALL_KEX.replace(
            ",kex-strict-s-v00@openssh.com", ""))))
    out["kexinit-first-kex-follows"] = (
        config() + BANNER + packet(kexinit()[:-5] + boolean(True) + u32(0)))

    # One key exchange of each family, completed with the identity ed25519 key (then the
    # encrypted stream is what follows: a few bytes that cannot decrypt).
    for kex in KEX:
        if kex == "default":
            continue
        body = BANNER + packet(kexinit(kex=ALL_KEX, hostkeys=ALL_HOSTKEYS)) + kex_reply(kex)
        out["kex-" + kex.replace("@", "-at-")] = (
            config(kex=kex, hostkey="ssh-ed25519") + body + bytes(range(48)))

    # Real-looking host keys whose signatures cannot verify.
    hello_all = BANNER + packet(kexinit(kex=ALL_KEX, hostkeys=ALL_HOSTKEYS))
    for curve, kex in (("nistp256", "ecdh-sha2-nistp256"), ("nistp384", "curve25519-sha256"),
                       ("nistp521", "diffie-hellman-group14-sha256")):
        out["hostkey-ecdsa-" + curve] = (
            config(kex=kex, hostkey="ecdsa-sha2-" + curve) + hello_all
            + kex_reply(kex, ecdsa_key(curve), ecdsa_sig(curve)))
    for name in ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"):
        out["hostkey-" + name] = (
            config(kex="curve25519-sha256", hostkey=name) + hello_all
            + kex_reply("curve25519-sha256", rsa_key(), rsa_sig(name)))

    # Whole sessions in the clear.
    plain_hello = BANNER + packet(kexinit(**PLAIN_KEXINIT))
    after_kex = kex_reply("curve25519-sha256") + ext_info() + service_accept()
    tail = exit_status(0) + eof() + close()
    out["plain-password-exec"] = (
        config(F_PLAIN, "curve25519-sha256", "ssh-ed25519") + plain_hello + after_kex
        + auth_banner() + success() + hostkeys_announcement() + exec_replies() + tail)
    out["plain-password-exec-1byte-eagain"] = (
        config(F_PLAIN | F_BYTE | F_EAGAIN_ALWAYS, "curve25519-sha256", "ssh-ed25519")
        + plain_hello + after_kex + success() + exec_replies() + tail)
    out["plain-password-exec-random-pool"] = (
        config(F_PLAIN | F_RANDOM_SMALL | F_EAGAIN_HALF | F_POOL, "ecdh-sha2-nistp256",
               "ssh-ed25519") + BANNER + packet(kexinit(**PLAIN_KEXINIT))
        + kex_reply("ecdh-sha2-nistp256") + service_accept() + success() + exec_replies()
        + tail)
    script = S_LIST | S_KBD | S_PTY | S_ENV | S_STDIN | S_KEEPALIVE | S_SIGNAL
    out["plain-kbd-pty-env-stdin-signal"] = (
        config(F_PLAIN | F_RANDOM_LARGE, "diffie-hellman-group14-sha256", "ssh-ed25519", script)
        + plain_hello + kex_reply("diffie-hellman-group14-sha256") + service_accept()
        + failure() + info_request([("Password: ", False), ("Token: ", True)])
        + info_request([]) + success() + ignore() + debug()
        + packet(bytes([MSG_REQUEST_FAILURE])) + exec_replies(pty=True, env=True)
        + data("x" * 3000) + extended("e" * 100) + exit_signal() + eof() + close())
    out["plain-list-password-partial"] = (
        config(F_PLAIN, "diffie-hellman-group-exchange-sha256", "ssh-ed25519", S_LIST)
        + plain_hello + kex_reply("diffie-hellman-group-exchange-sha256") + service_accept()
        + failure("password", False) + failure("publickey", True))
    out["plain-one-step-open-refused"] = (
        config(F_PLAIN, "curve25519-sha256", "ssh-ed25519", S_ONE_STEP) + plain_hello + after_kex
        + success() + open_failure())
    out["plain-exec-refused"] = (
        config(F_PLAIN, "curve25519-sha256", "ssh-ed25519") + plain_hello + after_kex
        + success() + open_confirmation() + channel_failure() + close())
    out["plain-server-disconnects"] = (
        config(F_PLAIN, "curve25519-sha256", "ssh-ed25519") + plain_hello + after_kex
        + success() + open_confirmation() + disconnect(11, "shutting down"))

    # zlib after NEWKEYS: each packet's payload is one sync-flushed piece of one stream.
    z = zlib.compressobj()

    def zpacket(message):
        # The payload of packet() is the first byte onward; compress the whole message.
        raw = message[5:5 + struct.unpack(">I", message[:4])[0] - 1 - message[4]]
        return packet(z.compress(raw) + z.flush(zlib.Z_SYNC_FLUSH))

    compressed = [service_accept(), success(), open_confirmation(), window_adjust(),
                  channel_success(), data("compressed output\n" * 20), exit_status(3), eof(),
                  close()]
    out["plain-zlib-session"] = (
        config(F_PLAIN | F_COMPRESS, "curve25519-sha256", "ssh-ed25519")
        + BANNER + packet(kexinit(**dict(PLAIN_KEXINIT, comp="zlib")))
        + kex_reply("curve25519-sha256") + b"".join(zpacket(m) for m in compressed))
    return out


def regressions():
    """Hand-made reproducers of what fuzz_session found in libssh2 1.11.1 (they crash until
    libssh2 is patched, so they live apart from the seeds; see regressions/fuzz_session/README.md).
    """
    out = {}
    # The client-only pseudo methods of libssh2's kex list have no exchange_keys: a server that
    # names one makes libssh2 agree on it and call NULL.
    out["kex-pseudo-method-ext-info-c"] = config() + BANNER + packet(kexinit(kex="ext-info-c"))
    out["kex-pseudo-method-strict-c-with-prefs"] = (
        config(kex="curve25519-sha256") + BANNER
        + packet(kexinit(kex="kex-strict-c-v00@openssh.com,curve25519-sha256")))
    # aes256-gcm client-to-server with chacha20-poly1305 server-to-client: the first encrypted
    # send takes the MAC choice from the remote cipher's flags and dereferences a NULL MAC.
    out["transport-send-gcm-cs-chachapoly-sc"] = (
        config(kex="curve25519-sha256", hostkey="ssh-ed25519") + BANNER
        + packet(kexinit(kex=ALL_KEX, hostkeys=ALL_HOSTKEYS, ciphers="aes256-gcm@openssh.com",
                         ciphers_sc="chacha20-poly1305@openssh.com"))
        + kex_reply("curve25519-sha256"))
    # Leak: the host key is parsed (hostkey->init), then the exchange fails (here: the stream
    # ends before NEWKEYS); nothing frees server_hostkey_abstract, since libssh2_session_free()
    # frees it only once NEWKEYS was seen. Every key type and every kex method do this.
    out["kex-hostkey-leak-no-newkeys"] = (
        config(kex="curve25519-sha256", hostkey="ssh-ed25519") + BANNER
        + packet(kexinit(kex=ALL_KEX, hostkeys=ALL_HOSTKEYS))
        + kex_reply("curve25519-sha256")[:-16])  # without the NEWKEYS packet
    # In the clear (none cipher and MAC: 8-byte blocks, no MAC), a packet of length 1 to 3 after
    # NEWKEYS: the transport frees the payload it just allocated but keeps the pointer and its
    # size, and libssh2_session_free() frees it again.
    out["transport-read-short-packet-double-free"] = (
        config(F_PLAIN, "curve25519-sha256", "ssh-ed25519") + BANNER
        + packet(kexinit(**PLAIN_KEXINIT)) + kex_reply("curve25519-sha256")
        + u32(2) + b"\x00\x06" + bytes(2))
    return out


def write(target, prefix, files):
    os.makedirs(target, exist_ok=True)
    for name, content in sorted(files.items()):
        with open(os.path.join(target, prefix + name), "wb") as f:
            f.write(content)
    print(f"{len(files)} files in {target}")


def main():
    """make_session_seeds.py [seed dir] | --regressions [dir]"""
    here = os.path.dirname(os.path.abspath(__file__))
    args = sys.argv[1:]
    if args and args[0] == "--regressions":
        target = args[1] if len(args) > 1 else os.path.join(here, "regressions", "fuzz_session")
        write(target, "", regressions())
        return
    target = args[0] if args else os.path.join(here, "corpus", "fuzz_session")
    write(target, "seed-", seeds())


if __name__ == "__main__":
    main()
