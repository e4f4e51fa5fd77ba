{
  # The canonical build (node-gyp, prebuildify and node-gyp-build drive it). libssh2 1.11.1 is
  # compiled from deps/libssh2 (fetched by scripts/fetch-libssh2.sh) as a static,
  # position-independent library with the OpenSSL 3 backend and zlib, and linked into the addon;
  # OpenSSL itself is the system's libssl3/libcrypto.so.3, linked dynamically.
  "variables": {
    "libssh2_dir": "deps/libssh2",
    # Source builds (no prebuild fits) fetch libssh2 first; a no-op when it is already there.
    "libssh2_fetched": "<!(bash scripts/fetch-libssh2.sh 1>&2 && echo yes)",
    # The one warning set of our C++ (native/, not libssh2), clean; CMake reads this line too
    # (cmake/sources.cmake), as it reads the native_ssh target's source list below.
    "nssh_warnings": ["-Wall", "-Wextra", "-Wpedantic", "-Wshadow", "-Wconversion", "-Wsign-conversion"]
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
        "native/core/channel_queue.cc",
        "native/core/engine.cc",
        "native/core/exec_channel.cc",
        "native/core/host_key_stage.cc",
        "native/core/host_key_verifier.cc",
        "native/core/keepalive.cc",
        "native/core/kexinit_sniffer.cc",
        "native/core/known_hosts.cc",
        "native/core/libssh2_io.cc",
        "native/core/proxy/handshake.cc",
        "native/core/proxy/http_connect.cc",
        "native/core/proxy/socks4.cc",
        "native/core/proxy/socks5.cc",
        "native/core/session.cc",
        "native/core/session_events.cc",
        "native/core/sftp_channel.cc",
        "native/core/sftp_operation.cc",
        "native/core/socket_watch.cc",
        "native/core/ssh_error.cc",
        "native/core/ssh_library.cc",
        "native/core/ssh_socket.cc",
        "native/core/stdin_queue.cc",
        "native/core/tcp_connector.cc",
        "native/core/transport_stage.cc",
        "native/core/util/base64.cc",
        "native/core/util/block_pool.cc",
        "native/core/util/byte_buffer.cc",
        "native/core/util/wipe.cc",
        "native/binding/addon.cc",
        "native/binding/event_convert.cc",
        "native/binding/request_convert.cc",
        "native/binding/session_handle.cc"
      ],
      "include_dirs": ["native"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NATIVE_SSH_VERSION=\"<!(node -p \"require('./package.json').version\")\""
      ],
      # node-addon-api's headers are the system's to our warnings (node-gyp's own Node headers are
      # C and clean).
      "cflags_cc": ["-std=c++17", "-fvisibility=hidden", "-O2", "<@(nssh_warnings)",
                    "-isystem", "<!(node -p \"require('path').resolve(require('node-addon-api').include_dir)\")"],
      "cflags_cc!": ["-fno-rtti", "-std=gnu++17"],
      "libraries": ["-lssl", "-lcrypto", "-lz"],
      "ldflags": ["-Wl,--exclude-libs,ALL", "-Wl,-z,now"]
    }
  ]
}
