// mfctl/commands_backup.cpp — `mfctl backup DEST` and `mfctl restore SRC [--force]`: a
// consistent copy of the data directory, also while mailfountaind runs, and bringing it
// back. The work is the library's (mailfountain/backup.h); this file parses and prints.
#include "commands.h"

#include <mailfountain/backup.h>

#include <fmt/format.h>

namespace mfctl {
namespace {

struct BackupArgs {
  std::string dest;
};

struct RestoreArgs {
  std::string src;
  bool force = false;
};

mf::Status refuse_as(Session& s, std::string_view verb) {
  if (s.settings().as.empty()) return mf::Status::ok();
  return mf::invalid_argument(fmt::format(
      "{} copies the whole data directory, which only its owner may do: drop --as", verb));
}

// The manifest's facts, one per line (human) or as members (JSON).
void add_manifest_fields(const mf::BackupManifest& m, Fields* fields) {
  fields->push_back({"Snapshot taken", format_time(m.created_at)});
  fields->push_back({"Schema version", std::to_string(m.schema_version)});
  fields->push_back({"Store", fmt::format("{} bytes", m.store_bytes)});
  fields->push_back({"Bodies", fmt::format("{} ({} bytes)", m.bodies, m.body_bytes)});
}

void add_manifest_members(const mf::BackupManifest& m, Json* doc) {
  (*doc)["created_at"] = m.created_at;
  (*doc)["schema_version"] = m.schema_version;
  (*doc)["store_bytes"] = m.store_bytes;
  (*doc)["bodies"] = m.bodies;
  (*doc)["body_bytes"] = m.body_bytes;
}

mf::Status run_backup(Session& s, const BackupArgs& args) {
  // Before opening, so that --as is refused before its password is asked for.
  MF_RETURN_IF_ERROR(refuse_as(s, "backup"));
  MF_RETURN_IF_ERROR(s.open());
  MF_ASSIGN_OR_RETURN(mf::BackupReport report, mf::backup_data_dir(s.context(), args.dest));
  if (s.out().json_mode()) {
    Json backup = Json::object();
    backup["path"] = report.path;
    add_manifest_members(report.manifest, &backup);
    backup["other_files"] = report.other_files;
    s.out().print_json(Json{{"backup", backup}});
    return mf::Status::ok();
  }
  Fields fields{{"Backup", report.path}, {"Of", s.settings().data_dir}};
  add_manifest_fields(report.manifest, &fields);
  fields.push_back({"Other files", fmt::format("{} (tls/)", report.other_files)});
  s.out().print_fields(fields);
  return mf::Status::ok();
}

mf::Status run_restore(Session& s, const RestoreArgs& args) {
  MF_RETURN_IF_ERROR(refuse_as(s, "restore"));
  auto mode = args.force ? mf::RestoreMode::kReplace : mf::RestoreMode::kIntoEmpty;
  auto restored = mf::restore_data_dir(args.src, s.settings().data_dir, mode);
  if (!restored.is_ok()) {
    mf::Status status = restored.status();
    if (status.code() == mf::Code::kAlreadyExists && !args.force) {
      s.out().error(mf::code_name(status.code()), status.message(),
                    "Give --force to restore anyway: the present contents are moved aside.");
    }
    return status;
  }
  const mf::RestoreReport& report = *restored;
  if (s.out().json_mode()) {
    Json restore = Json::object();
    restore["data_dir"] = report.data_dir;
    restore["from"] = args.src;
    restore["moved_aside"] = report.moved_aside.empty() ? Json() : Json(report.moved_aside);
    add_manifest_members(report.manifest, &restore);
    s.out().print_json(Json{{"restore", restore}});
    return mf::Status::ok();
  }
  Fields fields{{"Restored", report.data_dir}, {"From", args.src}};
  add_manifest_fields(report.manifest, &fields);
  if (!report.moved_aside.empty()) fields.push_back({"Previous contents", report.moved_aside});
  s.out().print_fields(fields);
  return mf::Status::ok();
}

}  // namespace

void add_backup_commands(CLI::App& app, Commands& commands) {
  auto backup_args = std::make_shared<BackupArgs>();
  CLI::App* backup = app.add_subcommand(
      "backup", "Copy the data directory (store, message bodies, TLS files) into DEST");
  backup->footer(
      "Works while mailfountaind runs and receives mail: the copy is one snapshot of the\n"
      "store plus every message body it refers to. DEST must not exist or be empty; the\n"
      "backup is written into DEST.partial and renamed to DEST when complete.");
  backup->add_option("DEST", backup_args->dest, "The new backup directory")->required();
  commands.add(
      backup, [backup_args](Session& s) { return run_backup(s, *backup_args); }, Needs::kNothing);

  auto restore_args = std::make_shared<RestoreArgs>();
  CLI::App* restore =
      app.add_subcommand("restore", "Bring the backup SRC back as the data directory (--data)");
  restore->footer(
      "Refused while mailfountaind runs on the data directory (stop it first), and when the\n"
      "data directory is not empty, unless --force: its contents are then moved aside to\n"
      "DATA.before-restore-TIMESTAMP, never deleted.");
  restore->add_option("SRC", restore_args->src, "A directory made by `mfctl backup`")->required();
  restore->add_flag("--force", restore_args->force,
                    "Replace a non-empty data directory (moving its contents aside)");
  commands.add(
      restore, [restore_args](Session& s) { return run_restore(s, *restore_args); },
      Needs::kNothing);
}

}  // namespace mfctl
