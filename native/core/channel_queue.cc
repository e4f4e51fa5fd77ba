#include "core/channel_queue.h"

#include "core/codes.h"
#include "core/ssh_error.h"

namespace native_ssh::core {

ExecChannel* ChannelQueue::Find(uint64_t request_id) {
  for (auto* list : {&running_, &waiting_}) {
    for (auto& channel : *list) {
      if (channel->request_id() == request_id) return channel.get();
    }
  }
  return nullptr;
}

std::unique_ptr<ExecChannel> ChannelQueue::TakeWaiting(uint64_t request_id) {
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if ((*it)->request_id() == request_id) {
      std::unique_ptr<ExecChannel> channel = std::move(*it);
      waiting_.erase(it);
      return channel;
    }
  }
  return nullptr;
}

bool ChannelQueue::Settle(uint64_t request_id, const std::function<void(ExecChannel*)>& settle) {
  if (std::unique_ptr<ExecChannel> waiting = TakeWaiting(request_id)) {
    settle(waiting.get());
    return false;
  }
  ExecChannel* channel = Find(request_id);
  if (channel == nullptr) return false;
  settle(channel);
  return true;
}

ChannelQueue::StepResult ChannelQueue::Step(LIBSSH2_SESSION* ssh) {
  StepResult result;
  for (auto it = running_.begin(); it != running_.end();) {
    ExecChannel* channel = it->get();
    ExecChannel::Status status = channel->Step();
    if (status == ExecChannel::Status::kTransportError) {
      result.transport_failed = true;
      result.transport_error = channel->transport_error();
      return result;
    }
    if (status == ExecChannel::Status::kNoSlot) {
      if (debug_) debug_("command " + std::to_string(channel->request_id()) + ": the server refused a channel");
      if (running_.size() > 1) {
        // The server's session limit (OpenSSH MaxSessions): wait for a running command to end.
        waiting_.push_back(std::move(*it));
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
    if (status == ExecChannel::Status::kDone) {
      if (debug_) debug_("command " + std::to_string(channel->request_id()) + ": channel closed");
      it = running_.erase(it);
      if (!waiting_.empty()) {
        waiting_.front()->Requeue();
        running_.push_back(std::move(waiting_.front()));
        waiting_.pop_front();
      }
      result.progress = true;
      continue;
    }
    if (status == ExecChannel::Status::kProgress) result.progress = true;
    if (status == ExecChannel::Status::kWaiting) {
      result.directions |= libssh2_session_block_directions(ssh);
    }
    ++it;
  }
  return result;
}

void ChannelQueue::AbandonAll(const Error& error) {
  for (auto* list : {&running_, &waiting_}) {
    for (auto& channel : *list) channel->Abandon(error);
  }
}

void ChannelQueue::Clear() {
  running_.clear();
  waiting_.clear();
}

bool ChannelQueue::WantsInput() const {
  for (const auto& channel : running_) {
    if (channel->WantsInput()) return true;
  }
  return false;
}

}  // namespace native_ssh::core
