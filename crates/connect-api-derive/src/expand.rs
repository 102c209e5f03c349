//! Generating the `ConnectConfig` implementation.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Field, Fields, LitStr};

use crate::attrs::{FieldAttrs, doc_comment};
use crate::field_type::{FieldType, Kind};

/// The implementation of `ConnectConfig` for a struct with named fields.
pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    if let Some(attr) = input
        .attrs
        .iter()
        .find(|attr| attr.path().is_ident("config"))
    {
        return Err(syn::Error::new(
            attr.span(),
            "`#[config(...)]` goes on the fields of a `ConnectConfig` struct, not on the struct",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            input.ident.span(),
            "`ConnectConfig` can only be derived for a struct with named fields",
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(
            data.fields.span(),
            "`ConnectConfig` can only be derived for a struct with named fields",
        ));
    };

    let mut keys = Vec::new();
    let mut initialisers = Vec::new();
    let mut errors: Option<syn::Error> = None;
    for field in &fields.named {
        match expand_field(field) {
            Ok(expanded) => {
                keys.extend(expanded.key);
                initialisers.push(expanded.initialiser);
            }
            Err(error) => match &mut errors {
                Some(errors) => errors.combine(error),
                None => errors = Some(error),
            },
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }

    let ident = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::connect_api::config::ConnectConfig for #ident #type_generics #where_clause {
            fn config_def() -> ::connect_api::config::ConfigDef {
                ::connect_api::config::ConfigDef::new()
                    #(.define(#keys))*
            }

            fn from_parsed(
                parsed: &::connect_api::config::ParsedConfig,
            ) -> ::core::result::Result<Self, ::connect_api::error::ConfigError> {
                ::core::result::Result::Ok(Self {
                    #(#initialisers,)*
                })
            }
        }
    })
}

/// What one field contributes: a key definition (none when skipped) and its initialiser.
struct ExpandedField {
    key: Option<TokenStream>,
    initialiser: TokenStream,
}

fn expand_field(field: &Field) -> syn::Result<ExpandedField> {
    let Some(ident) = &field.ident else {
        return Err(syn::Error::new(field.span(), "expected a named field"));
    };
    let attrs = FieldAttrs::parse(&field.attrs)?;
    if let Some(skip) = attrs.skip {
        if attrs.has_key_settings() {
            return Err(syn::Error::new(
                skip,
                "`skip` cannot be combined with other config attributes",
            ));
        }
        return Ok(ExpandedField {
            key: None,
            initialiser: quote! { #ident: ::core::default::Default::default() },
        });
    }

    let field_type = FieldType::of(&field.ty)?;
    let kind = match attrs.kind {
        None => field_type.kind,
        Some((declared, _)) if declared == field_type.kind => declared,
        Some((Kind::Class, _)) if field_type.kind == Kind::String => Kind::Class,
        Some((declared, span)) => {
            return Err(syn::Error::new(
                span,
                format!(
                    "type \"{}\" does not fit this field's Rust type; only `String` fields can \
                     declare type = \"class\"",
                    declared.variant().to_ascii_lowercase()
                ),
            ));
        }
    };
    let name = attrs
        .name
        .clone()
        .unwrap_or_else(|| LitStr::new(&default_key_name(ident), ident.span()));

    Ok(ExpandedField {
        key: Some(key_definition(
            &attrs,
            &field.attrs,
            &name,
            kind,
            field_type.optional,
        )),
        initialiser: initialiser(ident, &name, kind, field_type.optional),
    })
}

/// A field's key name unless renamed: its identifier with `_` replaced by `.`.
fn default_key_name(ident: &Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").unwrap_or(&text).replace('_', ".")
}

/// The `ConfigKey` builder expression of a field.
fn key_definition(
    attrs: &FieldAttrs,
    field_attrs: &[syn::Attribute],
    name: &LitStr,
    kind: Kind,
    optional: bool,
) -> TokenStream {
    let type_variant = format_ident!("{}", kind.variant());
    let mut key = quote! {
        ::connect_api::config::ConfigKey::new(#name, ::connect_api::config::ConfigType::#type_variant)
    };
    if let Some(default) = &attrs.default {
        key.extend(quote! { .default_value(#default) });
    } else if optional {
        key.extend(quote! { .default_null() });
    }
    if let Some(importance) = attrs.importance {
        let variant = format_ident!("{importance}");
        key.extend(quote! { .importance(::connect_api::config::Importance::#variant) });
    }
    let documentation = attrs
        .documentation
        .as_ref()
        .map(LitStr::value)
        .or_else(|| doc_comment(field_attrs));
    if let Some(documentation) = documentation {
        key.extend(quote! { .documentation(#documentation) });
    }
    if let Some(validator) = &attrs.validator {
        key.extend(quote! { .validator(#validator) });
    }
    if let Some(recommender) = &attrs.recommender {
        key.extend(quote! { .recommender(#recommender) });
    }
    if let Some(group) = &attrs.group {
        key.extend(quote! { .group(#group) });
    }
    if let Some(order) = &attrs.order {
        key.extend(quote! { .order_in_group(#order) });
    }
    if let Some(width) = attrs.width {
        let variant = format_ident!("{width}");
        key.extend(quote! { .width(::connect_api::config::Width::#variant) });
    }
    if let Some(display_name) = &attrs.display_name {
        key.extend(quote! { .display_name(#display_name) });
    }
    if let Some(dependents) = &attrs.dependents {
        key.extend(quote! { .dependents(#dependents) });
    }
    if attrs.internal {
        key.extend(quote! { .internal() });
    }
    key
}

/// The expression reading a field from `parsed`.
fn initialiser(ident: &Ident, name: &LitStr, kind: Kind, optional: bool) -> TokenStream {
    let getter_suffix = match kind {
        Kind::Boolean => "bool",
        Kind::String => "string",
        Kind::Int => "int",
        Kind::Short => "short",
        Kind::Long => "long",
        Kind::Double => "double",
        Kind::List => "list",
        Kind::Class => "class",
        Kind::Password => "password",
    };
    let to_owned = match kind {
        Kind::String | Kind::Class | Kind::List => {
            Some(quote! { ::std::borrow::ToOwned::to_owned })
        }
        Kind::Password => Some(quote! { ::core::clone::Clone::clone }),
        Kind::Boolean | Kind::Int | Kind::Short | Kind::Long | Kind::Double => None,
    };
    let value = match (optional, to_owned) {
        (false, None) => {
            let getter = format_ident!("get_{getter_suffix}");
            quote! { parsed.#getter(#name)? }
        }
        (false, Some(to_owned)) => {
            let getter = format_ident!("get_{getter_suffix}");
            quote! { #to_owned(parsed.#getter(#name)?) }
        }
        (true, None) => {
            let getter = format_ident!("get_opt_{getter_suffix}");
            quote! { parsed.#getter(#name)? }
        }
        (true, Some(to_owned)) => {
            let getter = format_ident!("get_opt_{getter_suffix}");
            quote! { parsed.#getter(#name)?.map(#to_owned) }
        }
    };
    quote! { #ident: #value }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use syn::parse_quote;

    use super::*;

    fn error_of(input: DeriveInput) -> String {
        expand(&input)
            .expect_err("expected a compile error")
            .to_string()
    }

    #[test]
    fn generates_a_definition_and_a_reader() {
        let input: DeriveInput = parse_quote! {
            struct Config {
                /// The topic.
                #[config(importance = "high")]
                topic_name: String,
                #[config(name = "batch", default = 5)]
                size: Option<i64>,
            }
        };
        let code = expand(&input).unwrap().to_string();
        assert!(code.contains("ConfigKey :: new (\"topic.name\""), "{code}");
        assert!(code.contains(". documentation (\"The topic.\")"), "{code}");
        assert!(code.contains("Importance :: High"), "{code}");
        assert!(code.contains(". default_value (5)"), "{code}");
        assert!(code.contains("get_opt_long (\"batch\")"), "{code}");
    }

    #[test]
    fn rejects_unsupported_field_types() {
        let error = error_of(parse_quote! { struct C { n: u32 } });
        assert!(error.starts_with("unsupported field type"), "{error}");
        let error = error_of(parse_quote! { struct C { n: Vec<i32> } });
        assert_eq!(error, "a LIST field must be `Vec<String>`");
        let error = error_of(parse_quote! { struct C { n: Option<Option<String>> } });
        assert!(
            error.starts_with("nested `Option` is not supported"),
            "{error}"
        );
    }

    #[test]
    fn rejects_unknown_and_duplicate_attributes() {
        let error = error_of(parse_quote! { struct C { #[config(colour = "red")] n: i32 } });
        assert!(
            error.starts_with("unknown config attribute `colour`"),
            "{error}"
        );
        let error =
            error_of(parse_quote! { struct C { #[config(name = "a", name = "b")] n: i32 } });
        assert_eq!(error, "duplicate config attribute `name`");
        let error = error_of(parse_quote! { struct C { #[config(importance = "urgent")] n: i32 } });
        assert!(error.starts_with("unknown importance"), "{error}");
        let error = error_of(parse_quote! { struct C { #[config(width = "huge")] n: i32 } });
        assert!(error.starts_with("unknown width"), "{error}");
        let error = error_of(parse_quote! { struct C { #[config(type = "int")] n: String } });
        assert!(
            error.contains("does not fit this field's Rust type"),
            "{error}"
        );
        let error = error_of(parse_quote! { struct C { #[config(type = "float")] n: f64 } });
        assert!(error.starts_with("unknown type"), "{error}");
        let error = error_of(parse_quote! { struct C { #[config(skip, name = "x")] n: i32 } });
        assert!(error.starts_with("`skip` cannot be combined"), "{error}");
    }

    #[test]
    fn rejects_what_is_not_a_struct_with_named_fields() {
        let error = error_of(parse_quote! { enum E { A } });
        assert!(error.contains("struct with named fields"), "{error}");
        let error = error_of(parse_quote! { struct T(i32); });
        assert!(error.contains("struct with named fields"), "{error}");
        let error = error_of(parse_quote! { #[config(name = "x")] struct S { n: i32 } });
        assert!(error.contains("goes on the fields"), "{error}");
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let input: DeriveInput = parse_quote! { struct C { a: u8, b: u16 } };
        let error = expand(&input).unwrap_err();
        assert_eq!(error.into_iter().count(), 2);
    }
}
