#include "core/engine.h"

#include <malloc.h>

#include <utility>

#include "core/codes.h"
#include "core/session.h"
#include "core/ssh_error.h"
#include "core/ssh_library.h"

namespace native_ssh::core {

namespace {

// The answer to a request whose session the engine has already freed.
Event NoSessionEvent(uint64_t request_id, EventKind kind) {
  Event event;
  event.request_id = request_id;
  event.kind = kind;
  if (kind != EventKind::kClosed) {
    event.ok = false;
    // The session ended and was freed: closed, lost (the server went away, as TinySSH does after
    // its one channel), or never connected.
    event.error = MakeError(codes::kNotConnected, codes::kLevelChannel,
                            "No session: the connection is closed or was lost");
  }
  return event;
}

}  // namespace

Engine::Engine(EventSink* sink) : sink_(sink) {
  SshLibrary::Init();
  uv_loop_init(&loop_);
  inbox_signal_.Init(&uv_async_init, &loop_, this,
                     [](uv_async_t* handle) { static_cast<Engine*>(handle->data)->Drain(); });
  thread_ = std::thread([this] { Run(); });
}

Engine::~Engine() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
    inbox_.push_back([this] { BeginShutdown(); });
  }
  uv_async_send(inbox_signal_.get());
  thread_.join();
  uv_loop_close(&loop_);
}

Engine::LibraryVersions Engine::Versions() {
  SshLibrary::Init();
  return {SshLibrary::Libssh2Version(), SshLibrary::OpenSslVersion(),
          SshLibrary::OpenSslDirectory()};
}

void Engine::Post(Task task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!accepting_) return;
    inbox_.push_back(std::move(task));
  }
  uv_async_send(inbox_signal_.get());
}

void Engine::Run() { uv_run(&loop_, UV_RUN_DEFAULT); }

void Engine::Drain() {
  std::deque<Task> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(inbox_);
  }
  for (Task& task : batch) task();
}

void Engine::BeginShutdown() {
  stopping_ = true;
  std::vector<Session*> open;
  open.reserve(sessions_.size());
  for (auto& entry : sessions_) open.push_back(entry.second.get());
  for (Session* session : open) session->Shutdown();
  // The loop ends once every session has closed its handles and this one is closed too.
  inbox_signal_.Close();
}

void Engine::SessionEnded(uint64_t id) {
  sessions_.erase(id);
  // With no connection left, hand the memory of the ones that ended back to the system: libssh2
  // and OpenSSL allocate from this thread's malloc arena, which otherwise keeps it.
  if (sessions_.empty()) malloc_trim(0);
}

// ---- requests ----------------------------------------------------------------------------------

void Engine::ToSession(uint64_t id, uint64_t request_id, EventKind missing,
                       std::function<void(Session*)> action) {
  Post([this, id, request_id, missing, action = std::move(action)] {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) {
      action(it->second.get());
    } else if (request_id != 0) {
      // The session closed and was forgotten: the request still gets its final event.
      Deliver(NoSessionEvent(request_id, missing));
    }
  });
}

void Engine::Connect(uint64_t session, uint64_t request_id, ConnectRequest request) {
  auto owned = std::make_shared<ConnectRequest>(std::move(request));
  Post([this, session, request_id, owned] {
    if (stopping_) {
      Deliver(NoSessionEvent(request_id, EventKind::kConnected));
      return;
    }
    auto& slot = sessions_[session];
    if (!slot) slot = std::make_unique<Session>(static_cast<SessionHost*>(this), session);
    slot->Connect(request_id, std::move(*owned));
  });
}

void Engine::HostKeyVerdict(uint64_t session, bool accept, std::string code, std::string message) {
  Error refusal =
      MakeError(code.empty() ? codes::kHostKeyMismatch : std::move(code), codes::kLevelHostKey,
                message.empty() ? "Host key error: the host key was refused" : std::move(message));
  ToSession(session, 0, EventKind::kConnected,
            [accept, refusal](Session* s) { s->HostKeyVerdict(accept, refusal); });
}

void Engine::HostKeyRecheck(uint64_t session, std::string known_hosts_text) {
  auto text = std::make_shared<std::string>(std::move(known_hosts_text));
  ToSession(session, 0, EventKind::kConnected,
            [text](Session* s) { s->HostKeyRecheck(std::move(*text)); });
}

void Engine::Exec(uint64_t session, uint64_t request_id, ExecRequest request) {
  auto owned = std::make_shared<ExecRequest>(std::move(request));
  ToSession(session, request_id, EventKind::kExecFinished,
            [request_id, owned](Session* s) { s->Exec(request_id, std::move(*owned)); });
}

void Engine::CancelExec(uint64_t session, uint64_t request_id, std::string code,
                        std::string message) {
  const char* level = code == codes::kTimeout ? codes::kLevelTimeout : codes::kLevelChannel;
  Error error = MakeError(std::move(code), level, std::move(message));
  ToSession(session, 0, EventKind::kExecFinished,
            [request_id, error](Session* s) { s->CancelExec(request_id, error); });
}

void Engine::AckExec(uint64_t session, uint64_t request_id, uint64_t bytes) {
  ToSession(session, 0, EventKind::kExecFinished,
            [request_id, bytes](Session* s) { s->AckExec(request_id, bytes); });
}

void Engine::StopExec(uint64_t session, uint64_t request_id) {
  ToSession(session, 0, EventKind::kExecFinished,
            [request_id](Session* s) { s->StopExec(request_id); });
}

void Engine::WriteStdin(uint64_t session, uint64_t request_id, std::vector<uint8_t> bytes) {
  auto owned = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  ToSession(session, 0, EventKind::kExecFinished,
            [request_id, owned](Session* s) { s->WriteStdin(request_id, std::move(*owned)); });
}

void Engine::EndStdin(uint64_t session, uint64_t request_id) {
  ToSession(session, 0, EventKind::kExecFinished,
            [request_id](Session* s) { s->EndStdin(request_id); });
}

void Engine::SftpOpen(uint64_t session, uint64_t request_id) {
  ToSession(session, request_id, EventKind::kSftp,
            [request_id](Session* s) { s->SftpOpen(request_id); });
}

void Engine::SftpOp(uint64_t session, uint64_t request_id, SftpRequest request) {
  auto owned = std::make_shared<SftpRequest>(std::move(request));
  ToSession(session, request_id, EventKind::kSftp,
            [request_id, owned](Session* s) { s->SftpOp(request_id, std::move(*owned)); });
}

void Engine::Close(uint64_t session, uint64_t request_id) {
  ToSession(session, request_id, EventKind::kClosed,
            [request_id](Session* s) { s->Close(request_id); });
}

}  // namespace native_ssh::core
