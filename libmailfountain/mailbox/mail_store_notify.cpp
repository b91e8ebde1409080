// mailbox/mail_store_notify.cpp — change subscriptions (for IMAP IDLE later).
//
// Subscribers live in a Registry shared with their Subscription handles, so a handle may
// outlive the MailStore. Each subscriber has its own mutex, held while its callback runs:
// unsubscribing takes it, so once ~Subscription returns the callback is not running and
// never runs again. The registry's mutex is not held during callbacks, so a callback may
// subscribe others or touch the store.
#include "mailbox/mail_store_impl.h"

#include <algorithm>

namespace mf::mailbox {

Subscription::~Subscription() {
  if (!state_) return;
  if (auto registry = state_->registry.lock()) {
    std::lock_guard lock(registry->mu);
    auto& subs = registry->subscribers;
    subs.erase(std::remove(subs.begin(), subs.end(), state_), subs.end());
  }
  std::lock_guard lock(state_->mu);
  state_->active = false;
}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    Subscription old(std::move(*this));  // unsubscribes as it goes
    state_ = std::move(other.state_);
  }
  return *this;
}

Subscription MailStore::subscribe(std::string_view account, ChangeCallback callback) {
  auto state = std::make_shared<Subscription::State>();
  state->registry = impl_->registry;
  state->account = std::string(account);
  state->callback = std::move(callback);
  {
    std::lock_guard lock(impl_->registry->mu);
    impl_->registry->subscribers.push_back(state);
  }
  return Subscription(std::move(state));
}

void MailStore::Impl::notify(const std::vector<Change>& changes) {
  if (changes.empty()) return;
  std::vector<std::shared_ptr<Subscription::State>> subs;
  {
    std::lock_guard lock(registry->mu);
    subs = registry->subscribers;
  }
  for (const auto& s : subs) {
    for (const Change& c : changes) {
      if (c.account != s->account) continue;
      std::lock_guard lock(s->mu);
      if (s->active) s->callback(c);
    }
  }
}

}  // namespace mf::mailbox
