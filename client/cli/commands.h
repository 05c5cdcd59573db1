#pragma once
// Each `medtrail` subcommand registers itself on the app; its callback sets the exit code.

#include <CLI/CLI.hpp>

namespace medtrail::cli {

// Exit codes: 0 success; 1 the thing checked is invalid; 2 bad usage or unreadable input.
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;

void add_keygen(CLI::App& app, int& exit_code);
void add_sign(CLI::App& app, int& exit_code);
void add_verify_envelope(CLI::App& app, int& exit_code);
void add_verify_proof(CLI::App& app, int& exit_code);
void add_verify_chain(CLI::App& app, int& exit_code);
void add_genesis(CLI::App& app, int& exit_code);
void add_node(CLI::App& app, int& exit_code);
void add_load(CLI::App& app, int& exit_code);
void add_checkpoint(CLI::App& app, int& exit_code);
void add_get(CLI::App& app, int& exit_code);
void add_rx(CLI::App& app, int& exit_code);
void add_audit(CLI::App& app, int& exit_code);
void add_trace(CLI::App& app, int& exit_code);
void add_qr(CLI::App& app, int& exit_code);
void add_patient_ref(CLI::App& app, int& exit_code);
void add_my_ref(CLI::App& app, int& exit_code);
void add_my_vaccinations(CLI::App& app, int& exit_code);
void add_seal(CLI::App& app, int& exit_code);
void add_open(CLI::App& app, int& exit_code);
void add_encryption_key(CLI::App& app, int& exit_code);
void add_witness(CLI::App& app, int& exit_code);

}  // namespace medtrail::cli
