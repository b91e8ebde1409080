// examples/directory_cpp.cpp — the MA SOCIETE directory, built and resolved through the
// C++ API.
//
// Shows how a C++ program embeds MailFountain with the public headers alone
// (<mailfountain/mailfountain.hpp>): initialise and open a data directory, act as its
// administrator, add a domain (which brings abuse@ and postmaster@), four accounts, their
// aliases, two redirections and a domain manager — the organisation of DEMO.md — then ask
// how mail to each address is delivered. Every fallible call returns an mf::Status or
// mf::Result; MF_RETURN_IF_ERROR passes failures up; nothing throws.
//
// Usage: directory_cpp [DATA_DIR]
//   DATA_DIR must not be initialised yet; it is kept afterwards. Without it, a temporary
//   directory is used and removed at exit.
//
// Output: one line per address, the same as directory_c and directory.py print:
//   support@ma-societe.fr -> redirection: emma.durand@ma-societe.fr, luc.petit@ma-societe.fr
#include <mailfountain/mailfountain.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

namespace {

const std::string kDomain = "ma-societe.fr";

std::string at_domain(const std::string& local) {
  return local + "@" + kDomain;
}

// Adds the organisation of DEMO.md as the administrator `admin`.
mf::Status build_ma_societe(mf::Directory& dir, const mf::Principal& admin) {
  struct Person {
    std::string local, name, password;
  };
  const std::vector<Person> people = {
      {"jean.martin", "Jean Martin", "jean-password-1"},
      {"sophie.bernard", "Sophie Bernard", "sophie-password-1"},
      {"luc.petit", "Luc Petit", "luc-password-1"},
      {"emma.durand", "Emma Durand", "emma-password-1"},
  };
  MF_RETURN_IF_ERROR(dir.add_domain(admin, kDomain));
  for (const Person& p : people) {
    mf::NewAccount account;
    account.display_name = p.name;
    account.password = p.password;
    MF_RETURN_IF_ERROR(dir.add_account(admin, at_domain(p.local), account));
  }
  MF_RETURN_IF_ERROR(dir.add_alias(admin, at_domain("direction"), at_domain("jean.martin")));
  MF_RETURN_IF_ERROR(dir.add_alias(admin, at_domain("accueil"), at_domain("sophie.bernard")));
  MF_RETURN_IF_ERROR(dir.add_alias(admin, at_domain("compta"), at_domain("sophie.bernard")));
  MF_RETURN_IF_ERROR(dir.add_alias(admin, at_domain("commercial"), at_domain("emma.durand")));
  MF_RETURN_IF_ERROR(dir.add_redirection(admin, at_domain("support"),
                                         {at_domain("luc.petit"), at_domain("emma.durand")},
                                         mf::SendAs::kMembersMaySend));
  MF_RETURN_IF_ERROR(dir.add_redirection(admin, at_domain("contact"),
                                         {at_domain("jean.martin"), at_domain("sophie.bernard")},
                                         mf::SendAs::kMembersMaySend));
  return dir.grant_manager(admin, at_domain("jean.martin"), kDomain);
}

// ", "-separated, after a leading space: " a, b".
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? " " : ", ") + items[i];
  return out;
}

// Prints "ADDRESS -> KIND[ (tag TAG)]: MAILBOX, ...[; external: ADDRESS, ...]", or
// "ADDRESS -> not found", or "ADDRESS -> error: CODE".
void print_resolution(mf::Directory& dir, const std::string& address) {
  mf::Result<mf::Resolution> r = dir.resolve(address);
  std::cout << address << " -> ";
  if (!r.is_ok()) {
    if (r.status().code() == mf::Code::kNotFound) {
      std::cout << "not found\n";
    } else {
      std::cout << "error: " << mf::code_name(r.status().code()) << "\n";
    }
    return;
  }
  std::cout << mf::address_kind_name(r->kind);
  if (!r->tag.empty()) std::cout << " (tag " << r->tag << ")";
  std::cout << ":" << joined(r->mailboxes);
  if (!r->external.empty()) std::cout << "; external:" << joined(r->external);
  std::cout << "\n";
}

mf::Status run(const std::string& data_dir) {
  // Default options: among them, full-strength password hashing.
  MF_RETURN_IF_ERROR(mf::Context::init(data_dir, "admin", "admin-password-1"));
  MF_ASSIGN_OR_RETURN(std::unique_ptr<mf::Context> ctx, mf::Context::open(data_dir));
  mf::Directory& dir = ctx->directory();
  const mf::Principal admin = ctx->local_administrator("directory_cpp example");
  MF_RETURN_IF_ERROR(build_ma_societe(dir, admin));
  for (const char* local : {"jean.martin", "sophie.bernard", "luc.petit", "emma.durand",
                            "direction", "accueil", "compta", "commercial", "support", "contact",
                            "abuse", "postmaster", "luc.petit+news", "nobody"}) {
    print_resolution(dir, at_domain(local));
  }
  // The context closes when `ctx` goes out of scope, after `admin` and `dir` are done.
  return mf::Status::ok();
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir;
  std::string scratch;
  if (argc > 1) {
    data_dir = argv[1];
  } else {
    char pattern[] = "/tmp/mf-example-XXXXXX";
    if (mkdtemp(pattern) == nullptr) {
      std::perror("directory_cpp: mkdtemp");
      return 1;
    }
    scratch = pattern;
    data_dir = scratch + "/data";
  }

  mf::Status status = run(data_dir);
  if (!status.is_ok()) std::cerr << "directory_cpp: " << status.to_string() << "\n";

  if (!scratch.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(scratch, ignored);
  }
  return status.is_ok() ? 0 : 1;
}
