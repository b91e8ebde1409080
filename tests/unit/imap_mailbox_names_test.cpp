// Unit tests of IMAP mailbox names at the protocol boundary and LIST patterns
// (imap/mailbox_names.h).
#include <doctest/doctest.h>

#include "imap/mailbox_names.h"

#include <string>
#include <vector>

using namespace mf;
using namespace mf::imap;

namespace {

std::vector<std::string> listed(const std::vector<std::string>& names, std::string_view ref,
                                std::string_view pattern) {
  std::vector<std::string> out;
  for (const ListEntry& e : list_matches(names, ListPattern(ref, pattern))) {
    std::string line = e.name;
    if (!e.exists) line += " (none)";
    if (e.has_children) line += " +";
    out.push_back(line);
  }
  return out;
}

const std::vector<std::string> kFolders = {
    "INBOX", "INBOX/Factures", "Archive/2025", "Archive/2026/Q1", "Sent", "Trash", "Brouillons é",
};

}  // namespace

TEST_CASE("client names are decoded from modified UTF-7 or taken as UTF-8, then normalised") {
  CHECK(name_from_client("Brouillons &AOk-", NameEncoding::kModifiedUtf7).value() ==
        "Brouillons \xC3\xA9");
  CHECK(name_from_client("Brouillons \xC3\xA9", NameEncoding::kUtf8).value() ==
        "Brouillons \xC3\xA9");
  CHECK(name_from_client("inbox", NameEncoding::kModifiedUtf7).value() == "INBOX");
  CHECK(name_from_client("Inbox/Factures", NameEncoding::kUtf8).value() == "INBOX/Factures");
  // Modified UTF-7 sessions send 7-bit names only; a bad shift is refused with a reason.
  CHECK(name_from_client("Brouillons \xC3\xA9", NameEncoding::kModifiedUtf7).status().code() ==
        Code::kInvalidArgument);
  CHECK(name_from_client("a&AOk", NameEncoding::kModifiedUtf7).status().code() ==
        Code::kInvalidArgument);
  // The store's rules hold on both paths.
  CHECK(name_from_client("a//b", NameEncoding::kUtf8).status().code() == Code::kInvalidArgument);
  CHECK(name_from_client("", NameEncoding::kUtf8).status().code() == Code::kInvalidArgument);
  CHECK(name_from_client("\xC3", NameEncoding::kUtf8).status().code() == Code::kInvalidArgument);
}

TEST_CASE("stored names are shown in modified UTF-7 until UTF-8 is enabled") {
  CHECK(name_to_client("Brouillons \xC3\xA9", NameEncoding::kModifiedUtf7).value() ==
        "Brouillons &AOk-");
  CHECK(name_to_client("R&D", NameEncoding::kModifiedUtf7).value() == "R&-D");
  CHECK(name_to_client("Brouillons \xC3\xA9", NameEncoding::kUtf8).value() ==
        "Brouillons \xC3\xA9");
}

TEST_CASE("'*' matches across levels and '%' within one") {
  // Only existing names: a missing level above them is returned by '%' alone (RFC 5258 §3).
  CHECK(listed(kFolders, "", "*") == std::vector<std::string>{"Archive/2025", "Archive/2026/Q1",
                                                              "Brouillons \xC3\xA9", "INBOX +",
                                                              "INBOX/Factures", "Sent", "Trash"});
  // '%' at the end also returns the missing levels above existing mailboxes.
  CHECK(listed(kFolders, "", "%") == std::vector<std::string>{"Archive (none) +",
                                                              "Brouillons \xC3\xA9", "INBOX +",
                                                              "Sent", "Trash"});
  CHECK(listed(kFolders, "Archive/", "%") ==
        std::vector<std::string>{"Archive/2025", "Archive/2026 (none) +"});
  CHECK(listed(kFolders, "Archive", "%") ==
        std::vector<std::string>{"Archive/2025", "Archive/2026 (none) +"});
  CHECK(listed(kFolders, "", "Archive/%/Q1") == std::vector<std::string>{"Archive/2026/Q1"});
  CHECK(listed(kFolders, "", "*/Q1") == std::vector<std::string>{"Archive/2026/Q1"});
  CHECK(listed(kFolders, "", "S%") == std::vector<std::string>{"Sent"});
  CHECK(listed(kFolders, "", "sent").empty());  // case-sensitive, INBOX apart
}

TEST_CASE("INBOX matches in any case at the start of the pattern") {
  CHECK(listed(kFolders, "", "inbox") == std::vector<std::string>{"INBOX +"});
  CHECK(listed(kFolders, "", "Inbox/%") == std::vector<std::string>{"INBOX/Factures"});
  CHECK(listed(kFolders, "inbox/", "*") == std::vector<std::string>{"INBOX/Factures"});
  CHECK(ListPattern("", "iNbOx/x").text() == "INBOX/x");
  CHECK(ListPattern("", "InboxOld").text() == "InboxOld");
}

TEST_CASE("an empty pattern lists nothing: it asks for the hierarchy delimiter") {
  CHECK(listed(kFolders, "", "").empty());
  CHECK(listed(kFolders, "Archive", "").empty());
}

TEST_CASE("wildcard runs collapse, and patterns too long for any name match nothing quickly") {
  CHECK(ListPattern("", "**%%*").text() == "*");
  CHECK(ListPattern("", "a%%b").text() == "a%b");
  std::string hostile;
  for (int i = 0; i < 5000; ++i) hostile += "*a";
  CHECK(listed({std::string(200, 'a')}, "", hostile).empty());
  std::string fits;
  for (int i = 0; i < 100; ++i) fits += "%a";
  CHECK(listed({std::string(150, 'a')}, "", fits) ==
        std::vector<std::string>{std::string(150, 'a')});
}

TEST_CASE("patterns match whole names, literal characters exactly") {
  ListPattern p("", "Ar*25");
  CHECK(p.matches("Archive/2025"));
  CHECK_FALSE(p.matches("Archive/2025/x"));
  CHECK_FALSE(p.matches("Archive/2026"));
  CHECK(ListPattern("", "%").matches("Sent"));
  CHECK_FALSE(ListPattern("", "%").matches("Archive/2025"));
  CHECK(ListPattern("", "*").matches("Archive/2025"));
  CHECK_FALSE(ListPattern("", "%").returns_parents() == false);
  CHECK_FALSE(ListPattern("", "*").returns_parents());
}
