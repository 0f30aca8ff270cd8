//! Generates the shared test vectors in `testdata/`, read by the Rust, Python and Node suites.
//!
//! ```text
//! cargo run -p incidentfox-auth-vectors -- attacks        # keys/keys.json (when missing), vectors/attacks.json
//! cargo run -p incidentfox-auth-vectors -- impersonation  # vectors/impersonation.json, then run scripts/pyjwt_vectors.py
//! cargo run -p incidentfox-auth-vectors -- me             # vectors/me.json
//! cargo run -p incidentfox-auth-vectors -- all            # the three, in that order
//! ```
//!
//! Each expectation is written from the documented rules (docs/compatibility.md,
//! docs/SECURITY.md), never read back from the library. The other files in `testdata/vectors/`
//! are written by hand.

mod attacks;
mod impersonation;
mod me;

use std::path::PathBuf;
use std::process::ExitCode;

/// The repository's `testdata/` directory.
fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

const USAGE: &str = "usage: incidentfox-auth-vectors attacks|impersonation|me|all";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [family] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match family.as_str() {
        "attacks" => attacks::generate(),
        "impersonation" => impersonation::generate(),
        "me" => me::generate(),
        "all" => {
            attacks::generate();
            impersonation::generate();
            me::generate();
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
