#include "internal/utils/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <mutex>

#include "internal/utils/json.h"

namespace osbx::log {
namespace {

std::atomic<int> g_verbosity{0};
std::atomic<Format> g_format{Format::kText};

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_logger_mt("osbx");
    l->set_pattern("%v");  // records are fully formatted here, one line each
    return l;
  }();
  return *logger;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch());
  std::time_t secs = static_cast<std::time_t>(micros.count() / 1'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros.count() % 1'000'000));
  return buf;
}

std::string FormatText(Level level, std::string_view message, std::initializer_list<Field> fields) {
  std::string line = Timestamp();
  line += ' ';
  line += LevelName(level);
  line += ' ';
  line += Json(std::string(message)).dump();
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    line += Json(value).dump();
  }
  return line;
}

std::string FormatJson(Level level, std::string_view message, std::initializer_list<Field> fields) {
  OrderedJson record;
  record["ts"] = Timestamp();
  record["level"] = LevelName(level);
  record["msg"] = message;
  for (const auto& [key, value] : fields) record[std::string(key)] = value;
  return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

void Init(const Options& options) {
  g_verbosity.store(options.verbosity);
  g_format.store(options.format);
}

bool V(int level) { return level <= g_verbosity.load(std::memory_order_relaxed); }

bool ParseFormat(std::string_view text, Format* out) {
  if (text == "text") {
    *out = Format::kText;
  } else if (text == "json") {
    *out = Format::kJson;
  } else {
    return false;
  }
  return true;
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  std::string line = g_format.load() == Format::kJson ? FormatJson(level, message, fields)
                                                      : FormatText(level, message, fields);
  Logger().info(line);
}

}  // namespace osbx::log
