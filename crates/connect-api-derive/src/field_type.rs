//! Recognising the Rust type of a field and the configuration type it stands for.

use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type};

/// The configuration types a field can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Class,
    Password,
}

impl Kind {
    /// The `ConfigType` variant.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Kind::Boolean => "Boolean",
            Kind::String => "String",
            Kind::Int => "Int",
            Kind::Short => "Short",
            Kind::Long => "Long",
            Kind::Double => "Double",
            Kind::List => "List",
            Kind::Class => "Class",
            Kind::Password => "Password",
        }
    }

    /// The kind named in `#[config(type = "...")]`, case-insensitively.
    pub(crate) fn from_type_name(name: &str) -> Option<Kind> {
        let kind = match name.to_ascii_lowercase().as_str() {
            "boolean" => Kind::Boolean,
            "string" => Kind::String,
            "int" => Kind::Int,
            "short" => Kind::Short,
            "long" => Kind::Long,
            "double" => Kind::Double,
            "list" => Kind::List,
            "class" => Kind::Class,
            "password" => Kind::Password,
            _ => return None,
        };
        Some(kind)
    }
}

/// What a field holds: a kind, possibly optional.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldType {
    pub(crate) kind: Kind,
    pub(crate) optional: bool,
}

const SUPPORTED: &str = "expected one of `bool`, `String`, `i32`, `i16`, `i64`, `f64`, \
                         `Vec<String>`, `Password`, or an `Option` of one of them";

impl FieldType {
    /// Classifies a field's type by its name, or explains why it is not supported.
    pub(crate) fn of(ty: &Type) -> syn::Result<FieldType> {
        if let Some(inner) = single_generic_argument(ty, "Option") {
            if single_generic_argument(inner, "Option").is_some() {
                return Err(syn::Error::new(
                    inner.span(),
                    "nested `Option` is not supported: a configuration key is either set or null",
                ));
            }
            return Ok(FieldType {
                kind: scalar_kind(inner)?,
                optional: true,
            });
        }
        Ok(FieldType {
            kind: scalar_kind(ty)?,
            optional: false,
        })
    }
}

/// The kind of a non-optional field type.
fn scalar_kind(ty: &Type) -> syn::Result<Kind> {
    let unsupported = || syn::Error::new(ty.span(), format!("unsupported field type: {SUPPORTED}"));
    if let Some(item) = single_generic_argument(ty, "Vec") {
        return if last_segment_is(item, "String") {
            Ok(Kind::List)
        } else {
            Err(syn::Error::new(
                item.span(),
                "a LIST field must be `Vec<String>`",
            ))
        };
    }
    let Type::Path(path) = ty else {
        return Err(unsupported());
    };
    if path.qself.is_some() {
        return Err(unsupported());
    }
    let Some(segment) = path.path.segments.last() else {
        return Err(unsupported());
    };
    if !matches!(segment.arguments, PathArguments::None) {
        return Err(unsupported());
    }
    match segment.ident.to_string().as_str() {
        "bool" => Ok(Kind::Boolean),
        "String" => Ok(Kind::String),
        "i32" => Ok(Kind::Int),
        "i16" => Ok(Kind::Short),
        "i64" => Ok(Kind::Long),
        "f64" => Ok(Kind::Double),
        "Password" => Ok(Kind::Password),
        _ => Err(unsupported()),
    }
}

/// Whether `ty` is a path ending in `name` without generic arguments.
fn last_segment_is(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(path)
    if path.qself.is_none()
        && path.path.segments.last().is_some_and(|segment| {
            segment.ident == name && matches!(segment.arguments, PathArguments::None)
        }))
}

/// `T` when `ty` is `wrapper<T>` (by the last path segment, so `std::option::Option<T>` too).
fn single_generic_argument<'t>(ty: &'t Type, wrapper: &str) -> Option<&'t Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let segment = path.path.segments.last()?;
    if segment.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    let mut arguments = arguments.args.iter();
    match (arguments.next(), arguments.next()) {
        (Some(GenericArgument::Type(inner)), None) => Some(inner),
        _ => None,
    }
}
