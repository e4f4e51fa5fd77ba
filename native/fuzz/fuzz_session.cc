// libFuzzer target: a whole libssh2 client session driven by a fuzzed server (issue 13).
//
// For each input a LIBSSH2_SESSION is made as the engine makes it (native/core/session.cc):
// non-blocking, with the RECV / SEND callbacks instead of a socket and, when the input asks, the
// engine's BlockPool as its allocator. The RECV callback serves the server's bytes from the input
// in chunks, answering -EAGAIN between chunks some of the time and 0 (end of stream) at the end;
// SEND takes everything and drops it. The harness then steps, as far as the server's bytes allow:
// handshake, the host key and the negotiated methods, a login (password and/or
// keyboard-interactive, optionally after userauth_list), a keepalive, an exec channel (setenv,
// pty, exec, stdin, EOF, stdout/stderr until EOF, signal, close, exit status), a disconnect and
// the free. Every step is driven like the engine drives it: called again while it answers
// LIBSSH2_ERROR_EAGAIN, with a bound.
//
// Input layout (the committed seeds in native/fuzz/corpus/fuzz_session/ depend on it; they are
// written by native/fuzz/make_session_seeds.py):
//   byte 0  feed        bits 0-2: chunk sizes (whole, 1, 3, 8, 64, 1460, random 1-16,
//                       random 1-2048); bits 3-4: -EAGAIN before a chunk (never, always, 1 in 4,
//                       1 in 2); bit 5: BlockPool allocator (else an exact-size checking one);
//                       bit 6: offer compression (LIBSSH2_FLAG_COMPRESS); bit 7: offer only the
//                       "none" cipher and MAC (the fuzz build of libssh2 has them, see below)
//   byte 1  kex         index into kKex (0: libssh2's default list)
//   byte 2  host key    index into kHostKeys (0: libssh2's default list)
//   byte 3  script      bits 0-1: login (password; list + password; keyboard-interactive;
//                       list + keyboard-interactive); bit 2: pty; bit 3: setenv; bit 4: stdin;
//                       bit 5: keepalive; bit 6: signal before close; bit 7: one-step
//                       libssh2_channel_open_ex (else the two-step open of patch 0006)
//   rest    the server's bytes
// The random chunk sizes and -EAGAIN choices come from a generator seeded by the four bytes.
//
// Reaching past the key exchange: the server's signature covers the exchange hash, which depends
// on the client's random ephemeral key, so a fixed input cannot sign it... except with an
// ssh-ed25519 host key that is the identity point (01 00..00), whose all-zero-S signature
// (R = 01 00..00) verifies for every message under OpenSSL's cofactorless check. With that key
// the handshake completes; with the "none" cipher and MAC (compiled into the fuzz build only:
// LIBSSH2DEBUG + LIBSSH2_CRYPT_NONE_INSECURE + LIBSSH2_MAC_NONE_INSECURE) everything after NEWKEYS
// is plain, so the login, the channel and its messages are the input's too.
//
// Failures: memory errors (ASan), undefined behaviour (UBSan), leaks (LeakSanitizer), a block
// freed with the wrong allocator (the checking allocator aborts, or ASan reports the bad free),
// a timeout (libFuzzer's -timeout), and a *hang*: a step that keeps answering EAGAIN without
// reading while server bytes remain (the engine would spin on a readable socket).
// What it found in libssh2 1.11.1, with reproducers: native/fuzz/regressions/fuzz_session/.
// NSSH_FUZZ_VERBOSE=1 prints each step's result (for checking seeds), =2 also libssh2's trace.
// NSSH_FUZZ_LEAK_SWEEP=1 runs LeakSanitizer after every input and goes on (libFuzzer stops at
// the first leak): with -runs=0 and -detect_leaks=0 over a corpus it lists every leak the corpus
// reaches (add ASAN_OPTIONS=fast_unwind_on_malloc=0 for stacks through OpenSSL).

#include <libssh2.h>
#include <sanitizer/lsan_interface.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/util/block_pool.h"

namespace {

using native_ssh::core::BlockPool;

bool g_verbose = false;
bool g_trace = false;
bool g_leak_sweep = false;

[[noreturn]] void Fail(const char* what, const char* detail) {
  std::fprintf(stderr, "fuzz_session: %s: %s\n", what, detail);
  std::abort();
}

// Reads every byte of a buffer libssh2 handed out, so ASan checks the length it claims.
void Touch(const void* data, size_t length) {
  if (data == nullptr) return;
  const volatile unsigned char* bytes = static_cast<const volatile unsigned char*>(data);
  unsigned char sum = 0;
  for (size_t i = 0; i < length; ++i) sum = static_cast<unsigned char>(sum + bytes[i]);
  (void)sum;
}

void TouchString(const char* text) {
  if (text != nullptr) Touch(text, std::strlen(text));
}

// An allocator that hands out exactly the bytes asked for (so ASan sees every overrun, which the
// pool's 40 KiB blocks would hide) behind a tagged header (so a block that did not come from it
// is caught when it is freed or resized).
constexpr uint64_t kMagic = 0x6e7373682d667a7aULL;  // "nssh-fzz"
constexpr size_t kHeader = 16;

void* CheckedAlloc(size_t size) {
  if (size > static_cast<size_t>(-1) - kHeader) return nullptr;
  auto* raw = static_cast<uint64_t*>(std::malloc(kHeader + size));
  if (raw == nullptr) return nullptr;
  raw[0] = kMagic;
  raw[1] = size;
  return reinterpret_cast<char*>(raw) + kHeader;
}

uint64_t* CheckedHeader(void* block, const char* op) {
  auto* raw = reinterpret_cast<uint64_t*>(static_cast<char*>(block) - kHeader);
  if (raw[0] != kMagic) Fail("allocator mismatch", op);
  return raw;
}

void CheckedFree(void* block) {
  if (block == nullptr) return;
  uint64_t* raw = CheckedHeader(block, "LIBSSH2_FREE of a block it did not allocate");
  raw[0] = 0;
  std::free(raw);
}

void* CheckedRealloc(void* block, size_t size) {
  if (block == nullptr) return CheckedAlloc(size);
  uint64_t* raw = CheckedHeader(block, "LIBSSH2_REALLOC of a block it did not allocate");
  if (size > static_cast<size_t>(-1) - kHeader) return nullptr;
  auto* moved = static_cast<uint64_t*>(std::realloc(raw, kHeader + size));
  if (moved == nullptr) return nullptr;
  moved[1] = size;
  return reinterpret_cast<char*>(moved) + kHeader;
}

// xorshift32: the random chunk sizes and -EAGAIN choices, fixed by the input's first bytes.
struct Random {
  uint32_t state;
  uint32_t Next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  uint32_t Below(uint32_t n) { return Next() % n; }
};

// What the callbacks reach through the session's abstract pointer.
struct Context {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t pos = 0;
  size_t chunk_left = 0;  // bytes left in the current chunk (0: the next read starts one)
  uint8_t split = 0;
  uint8_t eagain = 0;
  bool eagain_given = false;  // the -EAGAIN before the current chunk was already returned
  Random random{1};
  uint64_t reads = 0;  // RECV calls (each one is progress: bytes, -EAGAIN or end of stream)
  bool eof_seen = false;
  bool use_pool = false;
  BlockPool pool;

  bool exhausted() const { return pos >= size; }

  size_t NextChunk() {
    switch (split) {
      case 0: return size;
      case 1: return 1;
      case 2: return 3;
      case 3: return 8;
      case 4: return 64;
      case 5: return 1460;
      case 6: return 1 + random.Below(16);
      default: return 1 + random.Below(2048);
    }
  }

  bool WantEagain() {
    switch (eagain) {
      case 0: return false;
      case 1: return true;
      case 2: return random.Below(4) == 0;
      default: return random.Below(2) == 0;
    }
  }
};

Context* Of(void** abstract) { return static_cast<Context*>(*abstract); }

LIBSSH2_ALLOC_FUNC(Alloc) {
  Context* context = Of(abstract);
  return context->use_pool ? context->pool.Alloc(count) : CheckedAlloc(count);
}

LIBSSH2_FREE_FUNC(Free) {
  Context* context = Of(abstract);
  if (context->use_pool) {
    context->pool.Free(ptr);
  } else {
    CheckedFree(ptr);
  }
}

LIBSSH2_REALLOC_FUNC(Realloc) {
  Context* context = Of(abstract);
  return context->use_pool ? context->pool.Realloc(ptr, count) : CheckedRealloc(ptr, count);
}

LIBSSH2_RECV_FUNC(Receive) {
  (void)socket;
  (void)flags;
  Context* context = Of(abstract);
  ++context->reads;
  if (context->exhausted()) {
    context->eof_seen = true;
    return 0;
  }
  if (context->chunk_left == 0) {
    if (!context->eagain_given && context->WantEagain()) {
      context->eagain_given = true;
      return -EAGAIN;
    }
    context->eagain_given = false;
    context->chunk_left = context->NextChunk();
  }
  size_t n = length < context->chunk_left ? length : context->chunk_left;
  if (n > context->size - context->pos) n = context->size - context->pos;
  std::memcpy(buffer, context->data + context->pos, n);
  context->pos += n;
  context->chunk_left -= n;
  if (context->exhausted()) context->chunk_left = 0;
  return static_cast<ssize_t>(n);
}

LIBSSH2_SEND_FUNC(Send) {
  (void)socket;
  (void)flags;
  (void)abstract;
  Touch(buffer, length);
  return static_cast<ssize_t>(length);
}

LIBSSH2_IGNORE_FUNC(OnIgnore) {
  (void)session;
  (void)abstract;
  if (message_len > 0) Touch(message, static_cast<size_t>(message_len));
}

LIBSSH2_DEBUG_FUNC(OnDebug) {
  (void)session;
  (void)always_display;
  (void)abstract;
  if (message_len > 0) Touch(message, static_cast<size_t>(message_len));
  if (language_len > 0) Touch(language, static_cast<size_t>(language_len));
}

LIBSSH2_DISCONNECT_FUNC(OnDisconnect) {
  (void)session;
  (void)reason;
  (void)abstract;
  if (message_len > 0) Touch(message, static_cast<size_t>(message_len));
  if (language_len > 0) Touch(language, static_cast<size_t>(language_len));
}

// Answers every prompt with a string from the session's allocator (libssh2 frees it).
LIBSSH2_USERAUTH_KBDINT_RESPONSE_FUNC(OnKeyboard) {
  if (name_len > 0) Touch(name, static_cast<size_t>(name_len));
  if (instruction_len > 0) Touch(instruction, static_cast<size_t>(instruction_len));
  static const char kAnswer[] = "fuzz-answer";
  for (int i = 0; i < num_prompts; ++i) {
    Touch(prompts[i].text, prompts[i].length);
    void* copy = Alloc(sizeof(kAnswer), abstract);
    if (copy != nullptr) std::memcpy(copy, kAnswer, sizeof(kAnswer));
    responses[i].text = static_cast<char*>(copy);
    responses[i].length = copy != nullptr ? static_cast<unsigned int>(sizeof(kAnswer) - 1) : 0;
  }
}

constexpr const char* kKex[] = {
    nullptr,
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group1-sha1",
};

constexpr const char* kHostKeys[] = {
    nullptr,
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
    "ssh-ed25519-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "ssh-dss",
};

// EAGAIN answers without a read in a row before a step counts as a hang, and after the end of
// the stream was read before the step is given up.
constexpr int kStallLimit = 256;
constexpr int kEofRetries = 8;

struct Runner {
  LIBSSH2_SESSION* session;
  Context* context;
  bool stopped = false;  // the stream ended and a step still waited: skip the rest

  // Calls step() until it answers something else than EAGAIN (returned), or gives up (EAGAIN).
  template <typename Step>
  int Drive(const char* what, Step step) {
    if (stopped) return LIBSSH2_ERROR_EAGAIN;
    int stalls = 0;
    int after_eof = 0;
    const size_t cap = 8 * context->size + 4096;
    int rc = LIBSSH2_ERROR_EAGAIN;
    for (size_t i = 0; i < cap; ++i) {
      const uint64_t reads = context->reads;
      rc = step();
      if (rc != LIBSSH2_ERROR_EAGAIN) break;
      if (context->reads == reads) {
        if (++stalls >= kStallLimit) {
          if (!context->exhausted() || !context->eof_seen) {
            Fail("hang: EAGAIN without reading, server bytes left", what);
          }
          stopped = true;
          break;
        }
        continue;
      }
      stalls = 0;
      if (context->eof_seen && ++after_eof > kEofRetries) {
        stopped = true;
        break;
      }
    }
    if (rc == LIBSSH2_ERROR_EAGAIN) stopped = true;
    if (g_verbose) {
      char* message = nullptr;
      libssh2_session_last_error(session, &message, nullptr, 0);
      std::fprintf(stderr, "  %-22s rc=%d  read %zu/%zu  (%s)\n", what, rc, context->pos,
                   context->size, message != nullptr ? message : "");
    }
    return rc;
  }
};

void AfterHandshake(LIBSSH2_SESSION* session) {
  size_t length = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(session, &length, &type);
  Touch(key, length);
  Touch(libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA1), 20);
  Touch(libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256), 32);
  TouchString(libssh2_session_banner_get(session));
  for (int method = LIBSSH2_METHOD_KEX; method <= LIBSSH2_METHOD_LANG_SC; ++method) {
    TouchString(libssh2_session_methods(session, method));
  }
}

void Login(Runner& run, uint8_t script) {
  LIBSSH2_SESSION* session = run.session;
  static const char kUser[] = "fuzz";
  static const char kPassword[] = "Fuzz-Pa55word";
  if (script & 0x01) {
    char* list = nullptr;
    run.Drive("userauth_list", [&] {
      list = libssh2_userauth_list(session, kUser, sizeof(kUser) - 1);
      return list != nullptr ? 0 : libssh2_session_last_errno(session);
    });
    TouchString(list);
    if (libssh2_userauth_authenticated(session)) return;
  }
  if (script & 0x02) {
    run.Drive("keyboard_interactive", [&] {
      return libssh2_userauth_keyboard_interactive_ex(session, kUser, sizeof(kUser) - 1,
                                                      &OnKeyboard);
    });
  } else {
    run.Drive("password", [&] {
      return libssh2_userauth_password_ex(session, kUser, sizeof(kUser) - 1, kPassword,
                                          sizeof(kPassword) - 1, nullptr);
    });
  }
}

void Exec(Runner& run, uint8_t script) {
  LIBSSH2_SESSION* session = run.session;
  LIBSSH2_CHANNEL* channel = nullptr;
  int rc;
  if (script & 0x80) {
    rc = run.Drive("channel_open_ex", [&] {
      channel = libssh2_channel_open_session(session);
      return channel != nullptr ? 0 : libssh2_session_last_errno(session);
    });
  } else {
    rc = run.Drive("channel_open_start", [&] {
      channel = libssh2_channel_open_session_start(session);
      return channel != nullptr ? 0 : libssh2_session_last_errno(session);
    });
    if (channel != nullptr) {
      rc = run.Drive("channel_open_finish", [&] { return libssh2_channel_open_finish(channel); });
      if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN) channel = nullptr;  // freed by libssh2
    }
  }
  if (channel == nullptr) return;
  if (rc == 0) {
    if (script & 0x08) {
      run.Drive("setenv", [&] { return libssh2_channel_setenv_ex(channel, "LANG", 4, "C", 1); });
    }
    if (script & 0x04) {
      run.Drive("request_pty", [&] {
        return libssh2_channel_request_pty_ex(channel, "xterm", 5, nullptr, 0, 80, 24, 0, 0);
      });
    }
    rc = run.Drive("exec", [&] {
      return libssh2_channel_process_startup(channel, "exec", 4, "echo fuzz", 9);
    });
  }
  if (rc == 0) {
    if (script & 0x10) {
      static const char kInput[] = "stdin for the command\n";
      size_t sent = 0;
      run.Drive("write", [&] {
        ssize_t n = libssh2_channel_write(channel, kInput + sent, sizeof(kInput) - 1 - sent);
        if (n < 0) return static_cast<int>(n);
        sent += static_cast<size_t>(n);
        return sent < sizeof(kInput) - 1 ? LIBSSH2_ERROR_EAGAIN : 0;
      });
    }
    run.Drive("send_eof", [&] { return libssh2_channel_send_eof(channel); });
    char buffer[4096];
    run.Drive("read", [&] {
      // Both streams in turns, as the engine reads them; an error is reported once both are
      // drained (queued data of one stream hides the channel's EOF).
      int error = 0;
      for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
        for (;;) {
          ssize_t n = libssh2_channel_read_ex(channel, stream, buffer, sizeof(buffer));
          if (n > 0) {
            Touch(buffer, static_cast<size_t>(n));
            continue;
          }
          if (n < 0 && n != LIBSSH2_ERROR_EAGAIN && error == 0) error = static_cast<int>(n);
          break;
        }
      }
      if (libssh2_channel_eof(channel) == 1) return 0;
      return error != 0 ? error : LIBSSH2_ERROR_EAGAIN;
    });
    if (script & 0x40) {
      run.Drive("signal", [&] { return libssh2_channel_signal_ex(channel, "TERM", 4); });
    }
  }
  run.Drive("close", [&] { return libssh2_channel_close(channel); });
  run.Drive("wait_closed", [&] {
    char sink[1024];
    while (libssh2_channel_read_ex(channel, 0, sink, sizeof(sink)) > 0) {
    }
    while (libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, sink, sizeof(sink)) > 0) {
    }
    return libssh2_channel_wait_closed(channel);
  });
  char* signal_name = nullptr;
  size_t signal_length = 0;
  char* message = nullptr;
  size_t message_length = 0;
  char* language = nullptr;
  size_t language_length = 0;
  libssh2_channel_get_exit_signal(channel, &signal_name, &signal_length, &message, &message_length,
                                  &language, &language_length);
  Touch(signal_name, signal_length);
  Touch(message, message_length);
  Touch(language, language_length);
  if (signal_name != nullptr) libssh2_free(session, signal_name);
  if (message != nullptr) libssh2_free(session, message);
  if (language != nullptr) libssh2_free(session, language);
  (void)libssh2_channel_get_exit_status(channel);
  // Freed by libssh2_session_free below if this gives up.
  run.Drive("channel_free", [&] { return libssh2_channel_free(channel); });
}

void RunSession(const uint8_t* data, size_t size) {
  if (size < 4) return;
  const uint8_t feed = data[0];
  const uint8_t kex = data[1];
  const uint8_t host_key = data[2];
  const uint8_t script = data[3];

  Context context;
  context.data = data + 4;
  context.size = size - 4;
  context.split = feed & 0x07;
  context.eagain = feed >> 3 & 0x03;
  context.use_pool = (feed & 0x20) != 0;
  uint32_t seed = static_cast<uint32_t>(feed) | static_cast<uint32_t>(kex) << 8 |
                  static_cast<uint32_t>(host_key) << 16 | static_cast<uint32_t>(script) << 24;
  context.random.state = seed != 0 ? seed : 0x9e3779b9u;

  LIBSSH2_SESSION* session = libssh2_session_init_ex(&Alloc, &Free, &Realloc, &context);
  if (session == nullptr) Fail("libssh2_session_init_ex", "no session");
  libssh2_session_set_blocking(session, 0);
  libssh2_session_callback_set2(session, LIBSSH2_CALLBACK_RECV,
                                reinterpret_cast<libssh2_cb_generic*>(&Receive));
  libssh2_session_callback_set2(session, LIBSSH2_CALLBACK_SEND,
                                reinterpret_cast<libssh2_cb_generic*>(&Send));
  libssh2_session_callback_set2(session, LIBSSH2_CALLBACK_IGNORE,
                                reinterpret_cast<libssh2_cb_generic*>(&OnIgnore));
  libssh2_session_callback_set2(session, LIBSSH2_CALLBACK_DEBUG,
                                reinterpret_cast<libssh2_cb_generic*>(&OnDebug));
  libssh2_session_callback_set2(session, LIBSSH2_CALLBACK_DISCONNECT,
                                reinterpret_cast<libssh2_cb_generic*>(&OnDisconnect));
  if (g_trace) libssh2_trace(session, ~0);  // a no-op unless libssh2 has LIBSSH2DEBUG
  if (feed & 0x40) libssh2_session_flag(session, LIBSSH2_FLAG_COMPRESS, 1);
  const char* kex_pref = kKex[kex % (sizeof(kKex) / sizeof(kKex[0]))];
  if (kex_pref != nullptr) libssh2_session_method_pref(session, LIBSSH2_METHOD_KEX, kex_pref);
  const char* host_key_pref = kHostKeys[host_key % (sizeof(kHostKeys) / sizeof(kHostKeys[0]))];
  if (host_key_pref != nullptr) {
    libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, host_key_pref);
  }
  if (feed & 0x80) {
    for (int method : {LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC, LIBSSH2_METHOD_MAC_CS,
                       LIBSSH2_METHOD_MAC_SC}) {
      libssh2_session_method_pref(session, method, "none");
    }
  }

  // Not read or written (the callbacks do the I/O): libssh2 only checks its blocking flag.
  static int sockets[2] = {-1, -1};
  if (sockets[0] < 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sockets) != 0) {
    Fail("socketpair", std::strerror(errno));
  }

  Runner run{session, &context};
  if (g_verbose) {
    std::fprintf(stderr, "session: %zu server bytes, kex %s, host key %s, script 0x%02x\n",
                 context.size, kex_pref ? kex_pref : "(default)",
                 host_key_pref ? host_key_pref : "(default)", script);
  }
  int rc = run.Drive("handshake", [&] { return libssh2_session_handshake(session, sockets[0]); });
  if (rc == 0) {
    AfterHandshake(session);
    Login(run, script);
    if (libssh2_userauth_authenticated(session)) {
      if (script & 0x20) {
        libssh2_keepalive_config(session, 1, 1);
        int next = 0;
        run.Drive("keepalive", [&] { return libssh2_keepalive_send(session, &next); });
      }
      Exec(run, script);
    }
    run.stopped = false;  // one polite try, as the engine's close does
    run.Drive("disconnect", [&] {
      return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "bye", "");
    });
  }
  char* message = nullptr;
  int message_length = 0;
  libssh2_session_last_error(session, &message, &message_length, 0);
  if (message_length > 0) Touch(message, static_cast<size_t>(message_length));

  int freed = LIBSSH2_ERROR_EAGAIN;
  for (int i = 0; i < 1000 && freed == LIBSSH2_ERROR_EAGAIN; ++i)
    freed = libssh2_session_free(session);
  if (freed == LIBSSH2_ERROR_EAGAIN) Fail("hang", "libssh2_session_free keeps answering EAGAIN");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  (void)argc;
  (void)argv;
  const char* verbose = std::getenv("NSSH_FUZZ_VERBOSE");
  g_verbose = verbose != nullptr && (verbose[0] == '1' || verbose[0] == '2');
  g_trace = verbose != nullptr && verbose[0] == '2';
  const char* sweep = std::getenv("NSSH_FUZZ_LEAK_SWEEP");
  g_leak_sweep = sweep != nullptr && sweep[0] == '1';
  if (libssh2_init(0) != 0) Fail("libssh2_init", "failed");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RunSession(data, size);
  if (g_leak_sweep && __lsan_do_recoverable_leak_check() != 0) {
    std::fprintf(stderr, "fuzz_session: the input above leaked (%zu bytes)\n", size);
  }
  return 0;
}
