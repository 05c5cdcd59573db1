// `medtrail`: the command-line tool for keys, signing and verification.

#include <exception>
#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"medtrail — tamper-evident healthcare traceability ledger"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "medtrail 0.1.0");
  int exit_code = 0;
  medtrail::cli::add_keygen(app, exit_code);
  medtrail::cli::add_sign(app, exit_code);
  medtrail::cli::add_verify_envelope(app, exit_code);
  medtrail::cli::add_verify_proof(app, exit_code);
  medtrail::cli::add_verify_chain(app, exit_code);
  medtrail::cli::add_genesis(app, exit_code);
  medtrail::cli::add_node(app, exit_code);
  medtrail::cli::add_load(app, exit_code);
  medtrail::cli::add_checkpoint(app, exit_code);
  medtrail::cli::add_get(app, exit_code);
  medtrail::cli::add_rx(app, exit_code);
  medtrail::cli::add_audit(app, exit_code);
  medtrail::cli::add_trace(app, exit_code);
  medtrail::cli::add_qr(app, exit_code);
  medtrail::cli::add_patient_ref(app, exit_code);
  medtrail::cli::add_my_ref(app, exit_code);
  medtrail::cli::add_my_vaccinations(app, exit_code);
  medtrail::cli::add_seal(app, exit_code);
  medtrail::cli::add_open(app, exit_code);
  medtrail::cli::add_encryption_key(app, exit_code);
  medtrail::cli::add_witness(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "medtrail: " << e.what() << " (see --help)\n";
    return medtrail::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "medtrail: internal error: " << e.what() << "\n";
    return medtrail::cli::kExitUsage;
  }
  return exit_code;
}
