//! Project automation behind `cargo xtask`: code generation from `openapi/` and the
//! checks that keep the generated code honest.
//!
//! The binary (`src/main.rs`) is a thin clap front-end over these functions; the tests in
//! `tests/` call them directly.

pub mod codegen;
pub mod cursor;
pub mod facade;
pub mod reach;
pub mod server;
pub mod spec;

use std::path::PathBuf;

/// One OpenAPI document under `openapi/` and the Rust module generated from it.
#[derive(Debug, Clone, Copy)]
pub struct SpecFile {
    /// File stem under `openapi/`, e.g. `social-friends`.
    pub stem: &'static str,
    /// Rust module name in the SDK, e.g. `social_friends`.
    pub module: &'static str,
}

/// The five documents, in the order the README lists them.
pub const SPECS: &[SpecFile] = &[
    SpecFile {
        stem: "friends",
        module: "friends",
    },
    SpecFile {
        stem: "contacts",
        module: "contacts",
    },
    SpecFile {
        stem: "roster",
        module: "roster",
    },
    SpecFile {
        stem: "social-friends",
        module: "social_friends",
    },
    SpecFile {
        stem: "party",
        module: "party",
    },
];

impl SpecFile {
    /// Path of the OpenAPI document.
    pub fn spec_path(&self) -> PathBuf {
        workspace_root()
            .join("openapi")
            .join(format!("{}.yaml", self.stem))
    }

    /// Path of the generated client module.
    pub fn client_path(&self) -> PathBuf {
        workspace_root()
            .join("sdk/src/generated")
            .join(format!("{}.rs", self.module))
    }

    /// Path of the generated server module (the stub's trait and router).
    pub fn server_path(&self) -> PathBuf {
        workspace_root()
            .join("server-stub/src/generated")
            .join(format!("{}.rs", self.module))
    }
}

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
