//! The `#[derive(ConnectConfig)]` macro of `connect-api`: declare a connector's configuration
//! once, as a struct, and read it typed.
//!
//! Use it through `connect_api::config::ConnectConfig`, whose documentation has complete
//! examples.

mod attrs;
mod expand;
mod field_type;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Implements `connect_api::config::ConnectConfig` for a struct with named fields: every field is
/// a configuration key, defined by `config_def()` and read back by `from_parsed()`.
///
/// The key's type follows the field's type: `bool` → `BOOLEAN`, `String` → `STRING`,
/// `i32` → `INT`, `i16` → `SHORT`, `i64` → `LONG`, `f64` → `DOUBLE`, `Vec<String>` → `LIST`,
/// `Password` → `PASSWORD`; `Option<T>` is the same type with a null default. A field without
/// `default` that is not an `Option` is required. The field's doc comment is the key's
/// documentation.
///
/// Field attributes, all optional, inside `#[config(...)]`:
///
/// | attribute | meaning |
/// |---|---|
/// | `name = "batch.size"` | the key's name; by default the field name with `_` replaced by `.` |
/// | `type = "class"` | makes a `String` field a `CLASS` key |
/// | `default = <expr>` | the default: any expression convertible into a `ConfigValue` (`2000`, `"a,b"`, `true`) |
/// | `importance = "high"` | `"high"`, `"medium"` (the default) or `"low"` |
/// | `doc = "..."` | the documentation, instead of the doc comment |
/// | `validator = <expr>` | any expression whose value implements `Validator` |
/// | `recommender = <expr>` | any expression whose value implements `Recommender` |
/// | `group = "..."`, `order = <int>` | the group and the position within it |
/// | `width = "medium"` | `"none"`, `"short"`, `"medium"` or `"long"` |
/// | `display_name = "..."` | the name shown to users |
/// | `dependents = ["a", "b"]` | keys whose recommendations depend on this one |
/// | `internal` | marks the key as internal |
/// | `skip` | not a configuration key: the field takes `Default::default()` |
///
/// ```text
/// #[derive(ConnectConfig)]
/// struct FileSourceConfig {
///     /// Source filename. If not specified, the standard input will be used.
///     #[config(importance = "high")]
///     file: Option<String>,
///     #[config(name = "batch.size", default = 2000, validator = Range::at_least(1))]
///     batch_size: i32,
/// }
/// ```
#[proc_macro_derive(ConnectConfig, attributes(config))]
pub fn derive_connect_config(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
