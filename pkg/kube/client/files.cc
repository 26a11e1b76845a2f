#include "pkg/kube/client/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace osbx::kube {

StatusOr<std::string> ReadFileToString(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidError("cannot read " + path.string() + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    Status s(err == ENOENT ? StatusCode::kNotFound : StatusCode::kInvalid,
             "cannot read " + path.string() + ": " + std::strerror(err));
    return s;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return InvalidError("cannot read " + path.string() + ": I/O error");
  return buf.str();
}

}  // namespace osbx::kube
