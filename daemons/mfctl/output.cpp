// mfctl/output.cpp — tables, fields, JSON documents and error reports.
#include "output.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace mfctl {
namespace {

// Decodes one UTF-8 sequence at text[i]; returns the code point and advances i, or
// returns -1 (and advances one byte) for an invalid sequence.
long decode_utf8(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length = 0;
  long cp = 0;
  if (lead < 0x80) {
    ++i;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07;
  } else {
    ++i;
    return -1;
  }
  if (i + length > text.size()) {
    ++i;
    return -1;
  }
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return -1;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += length;
  return cp;
}

bool is_zero_width(long cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200B || cp == 0x200C || cp == 0x200D ||
         (cp >= 0xFE00 && cp <= 0xFE0F);
}

bool is_wide(long cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
         (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
         (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

void write_all(std::FILE* stream, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stream);
  if (text.empty() || text.back() != '\n') std::fputc('\n', stream);
  std::fflush(stream);
}

}  // namespace

size_t display_width(std::string_view text) {
  size_t width = 0;
  size_t i = 0;
  while (i < text.size()) {
    long cp = decode_utf8(text, i);
    if (cp < 0) {
      width += 1;
    } else if (is_zero_width(cp)) {
      // Combines with the previous character.
    } else {
      width += is_wide(cp) ? 2 : 1;
    }
  }
  return width;
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& cell : cells) {
    if (cell.empty()) cell.push_back('-');
  }
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  std::vector<size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);

  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - display_width(row[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  emit(headers_);
  for (const auto& row : rows_) emit(row);
  return out;
}

std::string render_fields(const Fields& fields) {
  size_t width = 0;
  for (const auto& [name, value] : fields) width = std::max(width, display_width(name) + 1);
  std::string out;
  for (const auto& [name, value] : fields) {
    out += name;
    out += ':';
    out.append(width - display_width(name) - 1 + 2, ' ');
    out += value.empty() ? "-" : value;
    out += '\n';
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string format_time(int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return fmt::format("@{}", unix_seconds);
  char buffer[64];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return std::string(buffer, n);
}

void Output::print_text(std::string_view text) {
  write_all(stdout, text);
}

void Output::print_json(const Json& document) {
  write_all(stdout, document.dump(2, ' ', false, Json::error_handler_t::replace));
}

void Output::done(std::string_view command, std::string_view target, std::string_view message) {
  if (json_) {
    Json document;
    document["ok"] = true;
    document["command"] = std::string(command);
    document["target"] = std::string(target);
    print_json(document);
  } else {
    print_text(message);
  }
}

void Output::error(std::string_view code, std::string_view message, std::string_view hint) {
  error_reported_ = true;
  if (json_) {
    Json document;
    document["error"]["code"] = std::string(code);
    document["error"]["message"] = std::string(message);
    print_json(document);
    return;
  }
  std::string line = fmt::format("mfctl: {}", message);
  if (!hint.empty()) line += fmt::format("\n{}", hint);
  write_all(stderr, line);
}

void Output::error(const mf::Status& status) {
  error(mf::code_name(status.code()), status.message());
}

void Output::warn(std::string_view message) {
  if (!json_) write_all(stderr, fmt::format("mfctl: {}", message));
}

Json error_object(const mf::Status& status) {
  Json object;
  object["code"] = std::string(mf::code_name(status.code()));
  object["message"] = status.message();
  return object;
}

}  // namespace mfctl
