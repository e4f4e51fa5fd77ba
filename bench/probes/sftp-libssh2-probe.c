/* Measurement probe (docs/sftp-design.md): libssh2 SFTP download/upload throughput with a given
 * buffer size per call, blocking, against a local sshd. Build (after the addon build):
 *   gcc -O2 -o /tmp/sftp-probe bench/probes/sftp-libssh2-probe.c -Ideps/libssh2/include \
 *       build/Release/ssh2.a -lssl -lcrypto -lz
 * Run: /tmp/sftp-probe PORT USER KEYFILE REMOTE_PATH get|put BUFFER_BYTES BYTES_TO_PUT */
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char** argv) {
  /* port user key remote_path mode(get|put) bufsize bytes */
  int port = atoi(argv[1]); const char* user = argv[2]; const char* key = argv[3]; const char* path = argv[4];
  int put = strcmp(argv[5], "put") == 0; size_t bufsize = strtoul(argv[6], 0, 10); size_t total = strtoull(argv[7], 0, 10);
  libssh2_init(0);
  int s = socket(AF_INET, SOCK_STREAM, 0); int one = 1; setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(0x7f000001);
  if (connect(s, (void*)&a, sizeof a)) { perror("connect"); return 1; }
  LIBSSH2_SESSION* ss = libssh2_session_init();
  libssh2_session_method_pref(ss, LIBSSH2_METHOD_CRYPT_CS, "aes128-gcm@openssh.com");
  libssh2_session_method_pref(ss, LIBSSH2_METHOD_CRYPT_SC, "aes128-gcm@openssh.com");
  if (libssh2_session_handshake(ss, s)) { fprintf(stderr, "handshake\n"); return 1; }
  if (libssh2_userauth_publickey_fromfile(ss, user, NULL, key, NULL)) { fprintf(stderr, "auth\n"); return 1; }
  LIBSSH2_SFTP* sftp = libssh2_sftp_init(ss);
  if (!sftp) { fprintf(stderr, "sftp init\n"); return 1; }
  char* buf = malloc(bufsize); memset(buf, 'x', bufsize);
  double t0 = now(); size_t done = 0;
  if (put) {
    LIBSSH2_SFTP_HANDLE* h = libssh2_sftp_open(sftp, path, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, 0644);
    if (!h) { fprintf(stderr, "open\n"); return 1; }
    while (done < total) {
      size_t want = total - done < bufsize ? total - done : bufsize; size_t off = 0;
      while (off < want) { ssize_t n = libssh2_sftp_write(h, buf + off, want - off); if (n < 0) { fprintf(stderr, "write %zd\n", n); return 1; } off += n; }
      done += want;
    }
    libssh2_sftp_close(h);
  } else {
    LIBSSH2_SFTP_HANDLE* h = libssh2_sftp_open(sftp, path, LIBSSH2_FXF_READ, 0);
    if (!h) { fprintf(stderr, "open\n"); return 1; }
    for (;;) { ssize_t n = libssh2_sftp_read(h, buf, bufsize); if (n < 0) { fprintf(stderr, "read %zd\n", n); return 1; } if (n == 0) break; done += n; }
    libssh2_sftp_close(h);
  }
  double dt = now() - t0;
  printf("%s buf=%zu bytes=%zu %.2f s %.0f MB/s\n", put ? "put" : "get", bufsize, done, dt, done / dt / 1e6);
  return 0;
}
