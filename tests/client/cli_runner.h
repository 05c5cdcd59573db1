#pragma once
// Runs the real `medtrail` binary as a user would and captures exit code, stdout and stderr.

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace medtrail::testing {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `scratch_dir` holds the captured output files.
inline CliRun run_cli(const std::string& args, const std::string& scratch_dir,
                      const std::string& stdin_path = "/dev/null") {
  std::string out = scratch_dir + "/stdout";
  std::string err = scratch_dir + "/stderr";
  std::string cmd = std::string(MEDTRAIL_CLI_PATH) + " " + args + " <" + stdin_path + " >" + out +
                    " 2>" + err;
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

}  // namespace medtrail::testing
