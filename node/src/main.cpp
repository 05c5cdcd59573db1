// medtrail-node: one member's node. Runs in the foreground until SIGTERM or SIGINT.
// Exit codes: 0 clean stop, 1 cannot start (the reason on stderr), 2 stopped on a failure.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/compaction_priority.h"
#include "app/malloc_arenas.h"
#include "app/node_app.h"
#include "config/node_config.h"

namespace {

// Structured enough to grep and parse: time, level, node, message. Messages never carry
// payloads, patient references or keys; records are named by their id (a hash) at most.
void set_up_logging(const medtrail::node::NodeConfig& config) {
  std::shared_ptr<spdlog::logger> logger;
  if (config.log_file.empty()) {
    logger = spdlog::stderr_color_mt("medtrail");
  } else {
    logger = spdlog::basic_logger_mt("medtrail", config.log_file);
  }
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l node=" + config.node_id + " %v");
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread starts (app/malloc_arenas.h says why).
  const medtrail::node::MallocArenas arenas = medtrail::node::cap_malloc_arenas();
  CLI::App app{"medtrail-node: a member's node of a medtrail chain"};
  std::string config_path;
  std::string log_level;
  app.add_option("--config", config_path, "The node's TOML configuration")->required();
  app.add_option("--log-level", log_level, "Overrides [log] level: trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  CLI11_PARSE(app, argc, argv);

  auto config = medtrail::node::load_node_config(config_path);
  if (!config.ok()) {
    std::cerr << "medtrail-node: " << config.status().to_string() << "\n";
    return 1;
  }
  if (!log_level.empty()) config->log_level = log_level;
  try {
    set_up_logging(*config);
  } catch (const spdlog::spdlog_ex& e) {
    std::cerr << "medtrail-node: cannot open the log: " << e.what() << "\n";
    return 1;
  }
  if (arenas.cap > 0) {
    spdlog::info("malloc arenas: at most {}", arenas.cap);
  } else if (!arenas.environment.empty()) {
    spdlog::info("malloc arenas: as {} in the environment sets them", arenas.environment);
  } else {
    spdlog::warn("malloc arenas: the allocator refused a cap of {}; glibc's default holds",
                 medtrail::node::default_malloc_arenas());
  }

  if (config->low_priority_compactions) {
    if (auto s = medtrail::node::lower_compaction_priority(); !s.ok()) {
      spdlog::warn("compactions keep the process's CPU priority: {}", s.to_string());
    }
  }

  auto node = medtrail::node::NodeApp::open(*config);
  if (!node.ok()) {
    spdlog::error("cannot start: {}", node.status().to_string());
    std::cerr << "medtrail-node: " << node.status().to_string() << "\n";
    return 1;
  }
  if (auto s = (*node)->start(); !s.ok()) {
    spdlog::error("cannot start: {}", s.to_string());
    std::cerr << "medtrail-node: " << s.to_string() << "\n";
    return 1;
  }
  return (*node)->run_until_stopped();
}
