#include "engine.h"

#include <malloc.h>

#include <vector>

#include "session.h"
#include "ssh_library.h"

namespace native_ssh::core {

Engine::Engine(EventSink* sink) : sink_(sink) {
  SshLibrary::Init();
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &inbox_signal_, &Engine::OnAsync);
  inbox_signal_.data = this;
  thread_ = std::thread([this] { Run(); });
}

Engine::~Engine() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    accepting_ = false;
    inbox_.push_back([this] { BeginShutdown(); });
  }
  uv_async_send(&inbox_signal_);
  thread_.join();
  uv_loop_close(&loop_);
}

void Engine::Post(Task task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!accepting_) return;
    inbox_.push_back(std::move(task));
  }
  uv_async_send(&inbox_signal_);
}

void Engine::Run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
}

void Engine::OnAsync(uv_async_t* handle) {
  static_cast<Engine*>(handle->data)->Drain();
}

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
  uv_close(reinterpret_cast<uv_handle_t*>(&inbox_signal_), nullptr);
}

Session* Engine::FindSession(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

Session* Engine::CreateSession(uint64_t id) {
  if (stopping_) return nullptr;
  auto session = std::make_unique<Session>(this, id);
  Session* raw = session.get();
  sessions_[id] = std::move(session);
  return raw;
}

void Engine::ForgetSession(uint64_t id) {
  sessions_.erase(id);
  // With no connection left, hand the memory of the ones that ended back to the system: libssh2
  // and OpenSSL allocate from this thread's malloc arena, which otherwise keeps it.
  if (sessions_.empty()) malloc_trim(0);
}

}  // namespace native_ssh::core
