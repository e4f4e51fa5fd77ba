#include "core/channel_queue.h"

#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

namespace {
// A channel refused right after a slot was freed for it is tried again this often, this far apart.
constexpr int kLateRefusalRetries = 5;
constexpr uint64_t kLateRefusalRetryMs = 50;

// "command 7" or "sftp 8", for debug lines.
std::string Describe(QueuedChannel* channel) {
  return (channel->AsSftp() != nullptr ? "sftp " : "command ") +
         std::to_string(channel->request_id());
}
}  // namespace

QueuedChannel* ChannelQueue::Find(uint64_t request_id) {
  for (auto* list : {&running_, &waiting_}) {
    for (auto& channel : *list) {
      if (channel->request_id() == request_id) return channel.get();
    }
  }
  return nullptr;
}

void ChannelQueue::Start(LIBSSH2_SESSION* ssh, uint64_t request_id, ExecRequest request) {
  auto channel = std::make_unique<ExecChannel>(ssh, request_id, std::move(request), hooks_.emit);
  channel->StartTimer(
      hooks_.loop, [this, request_id](Error timeout) { Cancel(request_id, std::move(timeout)); });
  running_.push_back(std::move(channel));
  if (debug_) debug_("command " + std::to_string(request_id) + ": opening a channel");
  hooks_.pump();
}

void ChannelQueue::StartSftp(LIBSSH2_SESSION* ssh, uint64_t request_id) {
  running_.push_back(
      std::make_unique<SftpChannel>(ssh, request_id, &sftp_init_owner_, hooks_.emit));
  if (debug_) debug_("sftp " + std::to_string(request_id) + ": opening a channel");
  hooks_.pump();
}

void ChannelQueue::SubmitSftp(uint64_t request_id, SftpRequest request) {
  QueuedChannel* found = Find(request.channel_id);
  SftpChannel* channel = found != nullptr ? found->AsSftp() : nullptr;
  if (channel == nullptr) {
    hooks_.emit(Event::Failed(request_id, EventKind::kSftp,
                              MakeError(codes::kInvalidState, codes::kLevelSftp,
                                        "SFTP error: the SFTP session is closed")));
    return;
  }
  channel->Submit(request_id, std::move(request));
  hooks_.pump();
}

void ChannelQueue::Cancel(uint64_t request_id, Error error) {
  Settle(request_id, [&error](ExecChannel* channel) { channel->Cancel(std::move(error)); });
}

void ChannelQueue::Stop(uint64_t request_id) {
  if (debug_)
    debug_("command " + std::to_string(request_id) + ": stopped by the program (TERM, close)");
  Settle(request_id, [](ExecChannel* channel) { channel->Stop(); });
}

void ChannelQueue::Ack(uint64_t request_id, uint64_t bytes) {
  WithCommand(request_id, [bytes](ExecChannel* channel) { channel->Ack(bytes); });
}

void ChannelQueue::WriteStdin(uint64_t request_id, std::vector<uint8_t> bytes) {
  WithCommand(request_id,
              [&bytes](ExecChannel* channel) { channel->WriteStdin(std::move(bytes)); });
}

void ChannelQueue::EndStdin(uint64_t request_id) {
  WithCommand(request_id, [](ExecChannel* channel) { channel->EndStdin(); });
}

void ChannelQueue::WithCommand(uint64_t request_id,
                               const std::function<void(ExecChannel*)>& action) {
  QueuedChannel* found = Find(request_id);
  ExecChannel* channel = found != nullptr ? found->AsExec() : nullptr;
  if (channel == nullptr) return;
  action(channel);
  hooks_.pump();
}

void ChannelQueue::Settle(uint64_t request_id, const std::function<void(ExecChannel*)>& settle) {
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if ((*it)->request_id() == request_id && (*it)->AsExec() != nullptr) {
      std::unique_ptr<QueuedChannel> waiting = std::move(*it);
      waiting_.erase(it);
      settle(waiting->AsExec());
      return;
    }
  }
  WithCommand(request_id, settle);
}

ChannelQueue::StepResult ChannelQueue::Step(LIBSSH2_SESSION* ssh) {
  StepResult result;
  for (auto it = running_.begin(); it != running_.end();) {
    QueuedChannel* channel = it->get();
    const QueuedChannel::Status status = channel->Step();
    if (status == QueuedChannel::Status::kTransportError) {
      result.transport_failed = true;
      result.transport_error = channel->transport_error();
      return result;
    }
    if (status == QueuedChannel::Status::kNoSlot) {
      if (debug_) debug_(Describe(channel) + ": the server refused a channel");
      if (running_.size() > 1) {
        // The server's session limit (OpenSSH MaxSessions): wait for a running command to end.
        waiting_.push_back(std::move(*it));
      } else if (channel->requeued() && channel->CountLateRefusal() <= kLateRefusalRetries) {
        // The slot freed for it is not free on the server yet: try again in a moment.
        waiting_.push_front(std::move(*it));
        if (!retry_timer_.initialized()) retry_timer_.Init(hooks_.loop);
        retry_timer_.Start(kLateRefusalRetryMs, 0, [this] {
          PromoteWaiting();
          hooks_.pump();
        });
      } else {
        // Refused with nothing else running: nothing will free a slot, so this command and every
        // waiting one fail (TinySSH, for one, serves a single session channel per connection).
        const Error refused = MakeError(codes::kChannelFailed, codes::kLevelChannel,
                                        "Channel error: " + LastSshMessage(ssh) +
                                            " (the server refused a channel with none other open)",
                                        LIBSSH2_ERROR_CHANNEL_FAILURE);
        channel->Cancel(refused);
        for (auto& waiting : waiting_) waiting->Cancel(refused);
        waiting_.clear();
      }
      it = running_.erase(it);
      result.progress = true;
      continue;
    }
    if (status == QueuedChannel::Status::kDone) {
      if (debug_) debug_(Describe(channel) + ": channel closed");
      it = running_.erase(it);
      PromoteWaiting();
      result.progress = true;
      continue;
    }
    if (status == QueuedChannel::Status::kProgress) result.progress = true;
    if (status == QueuedChannel::Status::kWaiting) {
      result.directions |= libssh2_session_block_directions(ssh);
    }
    ++it;
  }
  return result;
}

void ChannelQueue::PromoteWaiting() {
  if (waiting_.empty()) return;
  waiting_.front()->Requeue();
  waiting_.front()->MarkRequeued();
  running_.push_back(std::move(waiting_.front()));
  waiting_.pop_front();
}

void ChannelQueue::AbandonAll(const Error& error) {
  for (auto* list : {&running_, &waiting_}) {
    for (auto& channel : *list) channel->Abandon(error);
  }
}

void ChannelQueue::Clear() {
  retry_timer_.Stop();
  running_.clear();
  waiting_.clear();
}

bool ChannelQueue::running() const {
  for (const auto& channel : running_) {
    if (!channel->Idle()) return true;
  }
  return false;
}

bool ChannelQueue::WantsInput() const {
  for (const auto& channel : running_) {
    if (channel->WantsInput()) return true;
  }
  return false;
}

}  // namespace native_ssh::core
