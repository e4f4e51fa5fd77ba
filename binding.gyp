{
  # The canonical build (node-gyp, prebuildify and node-gyp-build drive it). libssh2 1.11.1 is
  # compiled from deps/libssh2 (fetched by scripts/fetch-libssh2.sh) as a static,
  # position-independent library with the OpenSSL 3 backend and zlib, and linked into the addon;
  # OpenSSL itself is the system's libssl3/libcrypto.so.3, linked dynamically.
  "variables": {
    "libssh2_dir": "deps/libssh2",
    # Source builds (no prebuild fits) fetch libssh2 first; a no-op when it is already there.
    "libssh2_fetched": "<!(bash scripts/fetch-libssh2.sh 1>&2 && echo yes)"
  },
  "targets": [
    {
      "target_name": "libssh2",
      "type": "static_library",
      "standalone_static_library": 1,
      "sources": [
        "<(libssh2_dir)/src/agent.c",
        "<(libssh2_dir)/src/bcrypt_pbkdf.c",
        "<(libssh2_dir)/src/channel.c",
        "<(libssh2_dir)/src/comp.c",
        "<(libssh2_dir)/src/chacha.c",
        "<(libssh2_dir)/src/cipher-chachapoly.c",
        "<(libssh2_dir)/src/crypt.c",
        "<(libssh2_dir)/src/crypto.c",
        "<(libssh2_dir)/src/global.c",
        "<(libssh2_dir)/src/hostkey.c",
        "<(libssh2_dir)/src/keepalive.c",
        "<(libssh2_dir)/src/kex.c",
        "<(libssh2_dir)/src/knownhost.c",
        "<(libssh2_dir)/src/mac.c",
        "<(libssh2_dir)/src/misc.c",
        "<(libssh2_dir)/src/packet.c",
        "<(libssh2_dir)/src/pem.c",
        "<(libssh2_dir)/src/poly1305.c",
        "<(libssh2_dir)/src/publickey.c",
        "<(libssh2_dir)/src/scp.c",
        "<(libssh2_dir)/src/session.c",
        "<(libssh2_dir)/src/sftp.c",
        "<(libssh2_dir)/src/transport.c",
        "<(libssh2_dir)/src/userauth.c",
        "<(libssh2_dir)/src/userauth_kbd_packet.c",
        "<(libssh2_dir)/src/version.c"
      ],
      "include_dirs": [
        "deps/libssh2-config",
        "<(libssh2_dir)/include",
        "<(libssh2_dir)/src"
      ],
      "defines": [
        "HAVE_CONFIG_H",
        "LIBSSH2_OPENSSL",
        "LIBSSH2_HAVE_ZLIB",
        "LIBSSH2_API=",
        # libssh2's assert()s must never abort the process on network input (issue 13):
        # every one that a peer could reach is an error return in patches 0009-0011.
        "NDEBUG"
      ],
      "cflags": ["-fPIC", "-fvisibility=hidden", "-O2", "-Wno-unused-parameter"],
      "direct_dependent_settings": {
        "include_dirs": ["<(libssh2_dir)/include"]
      }
    },
    {
      "target_name": "native_ssh",
      "dependencies": ["libssh2"],
      "sources": [
        "native/core/algorithm_offer.cc",
        "native/core/algorithms.cc",
        "native/core/authenticator.cc",
        "native/core/engine.cc",
        "native/core/block_pool.cc",
        "native/core/byte_buffer.cc",
        "native/core/channel_queue.cc",
        "native/core/exec_channel.cc",
        "native/core/host_key_stage.cc",
        "native/core/stdin_queue.cc",
        "native/core/host_key_verifier.cc",
        "native/core/kexinit_sniffer.cc",
        "native/core/libssh2_io.cc",
        "native/core/known_hosts.cc",
        "native/core/session.cc",
        "native/core/socket_watch.cc",
        "native/core/ssh_error.cc",
        "native/core/ssh_library.cc",
        "native/core/tcp_connector.cc",
        "native/core/wipe.cc",
        "native/core/base64.cc",
        "native/core/proxy/handshake.cc",
        "native/core/proxy/http_connect.cc",
        "native/core/proxy/socks4.cc",
        "native/core/proxy/socks5.cc",
        "native/binding/addon.cc",
        "native/binding/event_convert.cc",
        "native/binding/session_handle.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/core",
        "native"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NATIVE_SSH_VERSION=\"<!(node -p \"require('./package.json').version\")\""
      ],
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-rtti", "-std=gnu++17"],
      "libraries": ["-lssl", "-lcrypto", "-lz"],
      "ldflags": ["-Wl,--exclude-libs,ALL", "-Wl,-z,now"]
    }
  ]
}
