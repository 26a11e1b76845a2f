#pragma once
// Structured logging for every binary: one line per record, either human text or JSON, with
// klog-style verbosity levels (V(0) always, V(2) chatty, V(4) debugging, V(6) wire-level).
//
//   osbx::log::Init({.verbosity = 2, .format = osbx::log::Format::kJson});
//   OSBX_LOG_INFO("reconciled", {{"controller", "pool"}, {"object", key}});
//   if (osbx::log::V(4)) OSBX_LOG_INFO("detail", {...});

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace osbx::log {

enum class Format { kText, kJson };
enum class Level { kInfo, kWarning, kError };

struct Options {
  int verbosity = 0;
  Format format = Format::kText;
};

// Configures the process-wide logger; safe to call again (tests do).
void Init(const Options& options);
// True when records at verbosity `level` are emitted.
bool V(int level);
// Parses "text" / "json".
bool ParseFormat(std::string_view text, Format* out);

using Field = std::pair<std::string_view, std::string>;

// Emits one record with key/value fields.
void Write(Level level, std::string_view message, std::initializer_list<Field> fields);

}  // namespace osbx::log

#define OSBX_LOG_INFO(msg, ...) ::osbx::log::Write(::osbx::log::Level::kInfo, msg, {__VA_ARGS__})
#define OSBX_LOG_WARN(msg, ...) ::osbx::log::Write(::osbx::log::Level::kWarning, msg, {__VA_ARGS__})
#define OSBX_LOG_ERROR(msg, ...) ::osbx::log::Write(::osbx::log::Level::kError, msg, {__VA_ARGS__})
