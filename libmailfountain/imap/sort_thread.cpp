// imap/sort_thread.cpp — SORT and THREAD (see sort_thread.h).
#include "imap/sort_thread.h"

#include "base/text.h"
#include "imap/search_text.h"
#include "mime/address.h"
#include "mime/date.h"
#include "mime/header.h"
#include "mime/message_id.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace mf::imap {

namespace sort_thread_detail {

using Key = SortCriterion::Key;

// What SORT and THREAD know of one message, loaded once.
struct Facts {
  uint32_t seq = 0;
  uint32_t id = 0;  // what THREAD writes: the UID or the sequence number
  int64_t arrival = 0;
  uint64_t size = 0;
  int64_t sent = 0;
  std::string subject;  // casemap_key of the base subject
  bool reply = false;
  std::string from, to, cc;  // casemap_key of the first address's local part
  std::string message_id;
  std::vector<std::string> references;  // parent last
};

std::string first_local_part(const mime::HeaderBlock& block, std::string_view name) {
  const mime::HeaderField* f = block.find(name);
  if (f == nullptr) return "";
  mime::AddressList list = mime::parse_address_list(f->value, mime::EncodedWords::kKeep);
  for (const mime::Mailbox& m : list.mailboxes) {
    if (!m.local.empty()) return casemap_key(m.local);
  }
  return "";
}

// Which facts the caller needs beyond MessageInfo.
struct Needs {
  bool sent = false, subject = false, addresses = false, ids = false;
  bool header() const { return sent || subject || addresses || ids; }
};

Result<Facts> load_facts(SearchMessage& msg, const Needs& needs, bool use_uid) {
  Facts f;
  f.seq = msg.seq();
  f.id = use_uid ? msg.info().uid : msg.seq();
  f.arrival = msg.info().internal_date;
  f.size = msg.info().size;
  f.sent = f.arrival;
  if (!needs.header()) return f;
  MF_ASSIGN_OR_RETURN(std::string_view bytes, msg.header());
  mime::HeaderLimits limits;
  limits.max_bytes = bytes.size() + 1;
  limits.max_fields = bytes.size() + 1;
  auto parsed = mime::parse_header_block(bytes, limits);
  mime::HeaderBlock block = parsed.is_ok() ? std::move(*parsed) : mime::HeaderBlock{};
  if (needs.sent) {
    if (const mime::HeaderField* date = block.find("Date")) {
      auto dt = mime::parse_date(date->value);
      if (dt.is_ok()) f.sent = dt->unix_seconds;
    }
  }
  if (needs.subject) {
    const mime::HeaderField* subject = block.find("Subject");
    BaseSubject base = base_subject(subject ? subject->value : std::string_view());
    f.subject = casemap_key(base.text);
    f.reply = base.reply_or_forward;
  }
  if (needs.addresses) {
    f.from = first_local_part(block, "From");
    f.to = first_local_part(block, "To");
    f.cc = first_local_part(block, "Cc");
  }
  if (needs.ids) {
    if (const mime::HeaderField* id = block.find("Message-ID")) {
      mime::MessageIdList ids = mime::parse_message_ids(id->value);
      if (!ids.ids.empty()) f.message_id = std::move(ids.ids[0]);
    }
    if (const mime::HeaderField* refs = block.find("References")) {
      f.references = std::move(mime::parse_message_ids(refs->value).ids);
    }
    if (f.references.empty()) {
      if (const mime::HeaderField* irt = block.find("In-Reply-To")) {
        mime::MessageIdList ids = mime::parse_message_ids(irt->value);
        if (!ids.ids.empty()) f.references.push_back(std::move(ids.ids[0]));
      }
    }
  }
  return f;
}

Result<std::vector<Facts>> load_all(std::vector<SearchMessage*>& msgs, const Needs& needs,
                                    bool use_uid) {
  std::vector<Facts> all;
  all.reserve(msgs.size());
  for (SearchMessage* m : msgs) {
    MF_ASSIGN_OR_RETURN(Facts f, load_facts(*m, needs, use_uid));
    all.push_back(std::move(f));
  }
  return all;
}

// <0, 0, >0 as a compares to b under one key, ascending.
int compare_by(Key key, const Facts& a, const Facts& b) {
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (key) {
    case Key::kArrival:
      return three_way(a.arrival, b.arrival);
    case Key::kCc:
      return a.cc.compare(b.cc);
    case Key::kDate:
      return three_way(a.sent, b.sent);
    case Key::kFrom:
      return a.from.compare(b.from);
    case Key::kSize:
      return three_way(a.size, b.size);
    case Key::kSubject:
      return a.subject.compare(b.subject);
    case Key::kTo:
      return a.to.compare(b.to);
  }
  return 0;
}

// Sent date, then mailbox order: how THREAD orders messages among themselves.
bool sent_before(const Facts& a, const Facts& b) {
  return a.sent != b.sent ? a.sent < b.sent : a.seq < b.seq;
}

// ---- THREAD=ORDEREDSUBJECT --------------------------------------------------------------

std::string ordered_subject(std::vector<Facts>& facts) {
  std::sort(facts.begin(), facts.end(), [](const Facts& a, const Facts& b) {
    if (int c = a.subject.compare(b.subject); c != 0) return c < 0;
    return sent_before(a, b);
  });
  std::vector<std::pair<size_t, size_t>> threads;  // [first, end) in facts
  for (size_t i = 0; i < facts.size();) {
    size_t j = i + 1;
    while (j < facts.size() && facts[j].subject == facts[i].subject) ++j;
    threads.emplace_back(i, j);
    i = j;
  }
  std::sort(threads.begin(), threads.end(), [&](const auto& a, const auto& b) {
    return sent_before(facts[a.first], facts[b.first]);
  });
  std::string out;
  for (const auto& [first, end] : threads) {
    out += '(' + std::to_string(facts[first].id);
    if (end - first == 2) {
      out += ' ' + std::to_string(facts[first + 1].id);
    } else if (end - first > 2) {
      out += ' ';
      for (size_t k = first + 1; k < end; ++k) out += '(' + std::to_string(facts[k].id) + ')';
    }
    out += ')';
  }
  return out;
}

// ---- THREAD=REFERENCES ------------------------------------------------------------------

constexpr int kNone = -1;

struct Container {
  int message = kNone;  // index in facts; kNone for a dummy
  int parent = kNone;
  std::vector<int> children;
  bool deleted = false;
};

class ReferenceThreader {
 public:
  explicit ReferenceThreader(const std::vector<Facts>& facts) : facts_(facts) {}

  std::string run() {
    link_messages();         // step 1
    std::vector<int> roots;  // step 2
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].parent == kNone) roots.push_back(static_cast<int>(i));
    }
    roots = prune(roots);   // step 3
    sort_all(roots);        // step 4 (and the children of dummies)
    merge_subjects(roots);  // step 5
    sort_all(roots);        // step 6
    return write(roots);    // step 7
  }

 private:
  int new_container(int message) {
    nodes_.push_back(Container{message, kNone, {}, false});
    return static_cast<int>(nodes_.size()) - 1;
  }

  int container_for_id(const std::string& id) {
    auto [it, added] = by_id_.try_emplace(id, 0);
    if (added) it->second = new_container(kNone);
    return it->second;
  }

  // Whether `a` is `b` or one of its ancestors.
  bool is_ancestor_or_self(int a, int b) const {
    for (int n = b; n != kNone; n = nodes_[n].parent) {
      if (n == a) return true;
    }
    return false;
  }

  void set_parent(int child, int parent) {
    nodes_[child].parent = parent;
    nodes_[parent].children.push_back(child);
  }

  void unlink(int child) {
    int parent = nodes_[child].parent;
    if (parent == kNone) return;
    auto& siblings = nodes_[parent].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), child));
    nodes_[child].parent = kNone;
  }

  // Step 1: Message-IDs (duplicates and missing ones get a container of their own),
  // reference chains, then each message under its last reference.
  void link_messages() {
    for (size_t i = 0; i < facts_.size(); ++i) {
      const Facts& f = facts_[i];
      int self = kNone;
      if (!f.message_id.empty()) {
        int c = container_for_id(f.message_id);
        if (nodes_[c].message == kNone) self = c;
      }
      if (self == kNone) self = new_container(kNone);
      nodes_[self].message = static_cast<int>(i);

      int previous = kNone;
      for (const std::string& ref : f.references) {
        int c = container_for_id(ref);
        if (previous != kNone && nodes_[c].parent == kNone && !is_ancestor_or_self(c, previous)) {
          set_parent(c, previous);
        }
        previous = c;
      }
      unlink(self);
      if (previous != kNone && !is_ancestor_or_self(self, previous)) set_parent(self, previous);
    }
  }

  // The containers of the trees under `top`, `top` included, children before parents.
  std::vector<int> post_order(const std::vector<int>& top) const {
    std::vector<int> out;
    std::vector<std::pair<int, size_t>> stack;
    for (int t : top) {
      stack.emplace_back(t, 0);
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < nodes_[node].children.size()) {
          int child = nodes_[node].children[next++];
          stack.emplace_back(child, 0);
        } else {
          out.push_back(node);
          stack.pop_back();
        }
      }
    }
    return out;
  }

  // Step 3 for one set of siblings: empty dummies go, other dummies give their children
  // to this level — at the top only when they have exactly one.
  std::vector<int> pruned(const std::vector<int>& siblings, int parent, bool top) {
    std::vector<int> out;
    for (int c : siblings) {
      Container& n = nodes_[c];
      if (n.message != kNone) {
        out.push_back(c);
      } else if (n.children.empty()) {
        n.deleted = true;
      } else if (!top || n.children.size() == 1) {
        for (int g : n.children) {
          nodes_[g].parent = parent;
          out.push_back(g);
        }
        n.children.clear();
        n.deleted = true;
      } else {
        out.push_back(c);
      }
    }
    return out;
  }

  std::vector<int> prune(const std::vector<int>& roots) {
    for (int n : post_order(roots)) nodes_[n].children = pruned(nodes_[n].children, n, false);
    return pruned(roots, kNone, true);
  }

  // The message a container stands for when sorting and grouping: its own, or (a dummy)
  // its first child's.
  const Facts& representative(int c) const {
    while (nodes_[c].message == kNone) c = nodes_[c].children.front();
    return facts_[nodes_[c].message];
  }

  void sort_siblings(std::vector<int>& siblings) const {
    std::stable_sort(siblings.begin(), siblings.end(), [this](int a, int b) {
      return sent_before(representative(a), representative(b));
    });
  }

  void sort_all(std::vector<int>& roots) {
    for (int n : post_order(roots)) sort_siblings(nodes_[n].children);
    sort_siblings(roots);
  }

  // Step 5: roots whose (base) subjects are equal are gathered.
  void merge_subjects(std::vector<int>& roots) {
    std::unordered_map<std::string, int> table;
    for (int r : roots) {
      const Facts& f = representative(r);
      if (f.subject.empty()) continue;
      auto [it, added] = table.try_emplace(f.subject, r);
      if (added) continue;
      int t = it->second;
      bool r_dummy = nodes_[r].message == kNone, t_dummy = nodes_[t].message == kNone;
      if ((r_dummy && !t_dummy) || (!r_dummy && !t_dummy && representative(t).reply && !f.reply)) {
        it->second = r;
      }
    }
    std::vector<int> added_dummies;
    for (int r : roots) {
      const Facts& f = representative(r);
      if (f.subject.empty()) continue;
      int t = table.at(f.subject);
      if (t == r) continue;
      bool r_dummy = nodes_[r].message == kNone, t_dummy = nodes_[t].message == kNone;
      if (r_dummy && t_dummy) {
        for (int c : nodes_[r].children) set_parent(c, t);
        nodes_[r].children.clear();
        nodes_[r].deleted = true;
      } else if (t_dummy || (f.reply && !representative(t).reply)) {
        set_parent(r, t);
      } else {
        int d = new_container(kNone);
        table[f.subject] = d;
        set_parent(t, d);
        set_parent(r, d);
        added_dummies.push_back(d);
      }
    }
    std::vector<int> kept;
    for (int r : roots) {
      if (!nodes_[r].deleted && nodes_[r].parent == kNone) kept.push_back(r);
    }
    for (int d : added_dummies) {
      if (nodes_[d].parent == kNone) kept.push_back(d);
    }
    roots = std::move(kept);
  }

  // Step 7: "(3 6 (4 23)(44 7 96))": a single child follows its parent, several are each
  // parenthesised; a dummy writes only its children.
  std::string write(const std::vector<int>& roots) const {
    std::string out;
    struct Item {
      int node;          // kNone: write `text`
      const char* text;  // literal
    };
    std::vector<Item> stack;
    for (auto it = roots.rbegin(); it != roots.rend(); ++it) {
      stack.push_back({kNone, ")"});
      stack.push_back({*it, nullptr});
      stack.push_back({kNone, "("});
    }
    while (!stack.empty()) {
      Item item = stack.back();
      stack.pop_back();
      if (item.node == kNone) {
        out += item.text;
        continue;
      }
      const Container& n = nodes_[item.node];
      if (n.message != kNone) out += std::to_string(facts_[n.message].id);
      if (n.children.size() == 1) {
        stack.push_back({n.children[0], nullptr});
        if (n.message != kNone) stack.push_back({kNone, " "});
      } else if (n.children.size() > 1) {
        for (auto it = n.children.rbegin(); it != n.children.rend(); ++it) {
          stack.push_back({kNone, ")"});
          stack.push_back({*it, nullptr});
          stack.push_back({kNone, "("});
        }
        if (n.message != kNone) stack.push_back({kNone, " "});
      }
    }
    return out;
  }

  const std::vector<Facts>& facts_;
  std::vector<Container> nodes_;
  std::unordered_map<std::string, int> by_id_;
};

}  // namespace sort_thread_detail

Result<std::vector<uint32_t>> sort_messages(const std::vector<SortCriterion>& criteria,
                                            std::vector<SearchMessage*>& msgs) {
  sort_thread_detail::Needs needs;
  for (const SortCriterion& c : criteria) {
    needs.sent |= c.key == SortCriterion::Key::kDate;
    needs.subject |= c.key == SortCriterion::Key::kSubject;
    needs.addresses |= c.key == SortCriterion::Key::kFrom || c.key == SortCriterion::Key::kTo ||
                       c.key == SortCriterion::Key::kCc;
  }
  MF_ASSIGN_OR_RETURN(std::vector<sort_thread_detail::Facts> facts,
                      sort_thread_detail::load_all(msgs, needs, false));
  std::sort(facts.begin(), facts.end(),
            [&](const sort_thread_detail::Facts& a, const sort_thread_detail::Facts& b) {
              for (const SortCriterion& c : criteria) {
                int cmp = sort_thread_detail::compare_by(c.key, a, b);
                if (cmp != 0) return c.reverse ? cmp > 0 : cmp < 0;
              }
              return a.seq < b.seq;
            });
  std::vector<uint32_t> out;
  out.reserve(facts.size());
  for (const sort_thread_detail::Facts& f : facts) out.push_back(f.seq);
  return out;
}

Result<std::string> thread_messages(ThreadArgs::Algorithm algorithm,
                                    std::vector<SearchMessage*>& msgs, bool use_uid) {
  sort_thread_detail::Needs needs;
  needs.sent = true;
  needs.subject = true;
  needs.ids = algorithm == ThreadArgs::Algorithm::kReferences;
  MF_ASSIGN_OR_RETURN(std::vector<sort_thread_detail::Facts> facts,
                      sort_thread_detail::load_all(msgs, needs, use_uid));
  if (algorithm == ThreadArgs::Algorithm::kOrderedSubject)
    return sort_thread_detail::ordered_subject(facts);
  return sort_thread_detail::ReferenceThreader(facts).run();
}

}  // namespace mf::imap
