// imap/store_message.h — one stored message as the IMAP session's FETCH and SEARCH see it
// (imap/fetch_response.h's FetchSource, imap/search_eval.h's SearchMessage), loaded
// lazily from the mailbox store: a search on flags opens no file, a FETCH of FLAGS reads
// no structure. Each load is its own short store read; the body file stays open while
// the object lives (MessageReader), so an expunge meanwhile does not pull the bytes away.
// Internal to the session; one thread.
#ifndef MF_IMAP_STORE_MESSAGE_H
#define MF_IMAP_STORE_MESSAGE_H

#include "imap/fetch_response.h"
#include "imap/search_eval.h"
#include "mailbox/mail_store.h"

#include <optional>
#include <string>

namespace mf::imap {

class StoreMessage : public FetchSource, public SearchMessage {
 public:
  StoreMessage(mailbox::MailStore& store, const std::string& account, const std::string& folder,
               uint32_t seq, mailbox::MessageInfo info)
      : store_(store), account_(account), folder_(folder), seq_(seq), info_(std::move(info)) {}

  mailbox::MessageInfo& mutable_info() { return info_; }

  // FetchSource and SearchMessage
  const mailbox::MessageInfo& info() const override { return info_; }
  uint32_t uid() const override { return info_.uid; }
  uint32_t seq() const override { return seq_; }
  uint64_t size() const override { return info_.size; }
  uint64_t prefix_size() const override;
  Status read(uint64_t offset, uint64_t length, std::string* out) override;
  Result<const mailbox::BodyStructure*> structure() override;
  Result<std::string_view> header() override;
  Result<std::string_view> message() override;

 private:
  Status open();

  mailbox::MailStore& store_;
  const std::string& account_;
  const std::string& folder_;
  uint32_t seq_;
  mailbox::MessageInfo info_;
  std::optional<mailbox::MessageReader> reader_;
  Status structure_status_;
  bool structure_loaded_ = false;
  mailbox::BodyStructure structure_;
  bool bytes_loaded_ = false;
  std::string bytes_;
  bool header_loaded_ = false;
  std::string header_;
};

}  // namespace mf::imap

#endif  // MF_IMAP_STORE_MESSAGE_H
