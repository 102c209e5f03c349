//! Reading a field's `#[config(...)]` attributes and doc comments.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta};

use crate::field_type::Kind;

/// Everything `#[config(...)]` can say about a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) name: Option<LitStr>,
    pub(crate) kind: Option<(Kind, Span)>,
    pub(crate) default: Option<Expr>,
    pub(crate) importance: Option<&'static str>,
    pub(crate) documentation: Option<LitStr>,
    pub(crate) validator: Option<Expr>,
    pub(crate) recommender: Option<Expr>,
    pub(crate) group: Option<LitStr>,
    pub(crate) order: Option<Expr>,
    pub(crate) width: Option<&'static str>,
    pub(crate) display_name: Option<LitStr>,
    pub(crate) dependents: Option<Expr>,
    pub(crate) internal: bool,
    pub(crate) skip: Option<Span>,
    /// Where the first `#[config]` attribute is, for errors about the combination.
    pub(crate) span: Option<Span>,
}

const KNOWN: &str = "name, type, default, importance, doc, validator, recommender, group, \
                     order, width, display_name, dependents, internal, skip";

impl FieldAttrs {
    /// Reads every `#[config(...)]` attribute of a field.
    pub(crate) fn parse(attrs: &[Attribute]) -> syn::Result<FieldAttrs> {
        let mut parsed = FieldAttrs::default();
        for attr in attrs.iter().filter(|attr| attr.path().is_ident("config")) {
            parsed.span.get_or_insert(attr.pound_token.span);
            attr.parse_nested_meta(|meta| parsed.parse_one(&meta))?;
        }
        Ok(parsed)
    }

    fn parse_one(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let Some(ident) = meta.path.get_ident() else {
            return Err(meta.error(format!(
                "unknown config attribute; expected one of: {KNOWN}"
            )));
        };
        match ident.to_string().as_str() {
            "name" => set_once(meta, &mut self.name, meta.value()?.parse()?),
            "type" => {
                let literal: LitStr = meta.value()?.parse()?;
                let kind = Kind::from_type_name(&literal.value()).ok_or_else(|| {
                    syn::Error::new(
                        literal.span(),
                        "unknown type; expected one of \"boolean\", \"string\", \"int\", \
                         \"short\", \"long\", \"double\", \"list\", \"class\", \"password\"",
                    )
                })?;
                set_once(meta, &mut self.kind, (kind, literal.span()))
            }
            "default" => set_once(meta, &mut self.default, meta.value()?.parse()?),
            "importance" => {
                let literal: LitStr = meta.value()?.parse()?;
                let variant = match literal.value().to_ascii_lowercase().as_str() {
                    "high" => "High",
                    "medium" => "Medium",
                    "low" => "Low",
                    _ => {
                        return Err(syn::Error::new(
                            literal.span(),
                            "unknown importance; expected \"high\", \"medium\" or \"low\"",
                        ));
                    }
                };
                set_once(meta, &mut self.importance, variant)
            }
            "doc" | "documentation" => {
                set_once(meta, &mut self.documentation, meta.value()?.parse()?)
            }
            "validator" => set_once(meta, &mut self.validator, meta.value()?.parse()?),
            "recommender" => set_once(meta, &mut self.recommender, meta.value()?.parse()?),
            "group" => set_once(meta, &mut self.group, meta.value()?.parse()?),
            "order" | "order_in_group" => set_once(meta, &mut self.order, meta.value()?.parse()?),
            "width" => {
                let literal: LitStr = meta.value()?.parse()?;
                let variant = match literal.value().to_ascii_lowercase().as_str() {
                    "none" => "None",
                    "short" => "Short",
                    "medium" => "Medium",
                    "long" => "Long",
                    _ => {
                        return Err(syn::Error::new(
                            literal.span(),
                            "unknown width; expected \"none\", \"short\", \"medium\" or \"long\"",
                        ));
                    }
                };
                set_once(meta, &mut self.width, variant)
            }
            "display_name" => set_once(meta, &mut self.display_name, meta.value()?.parse()?),
            "dependents" => set_once(meta, &mut self.dependents, meta.value()?.parse()?),
            "internal" => {
                if self.internal {
                    return Err(meta.error("duplicate config attribute `internal`"));
                }
                self.internal = true;
                Ok(())
            }
            "skip" => set_once(meta, &mut self.skip, ident.span()),
            other => Err(meta.error(format!(
                "unknown config attribute `{other}`; expected one of: {KNOWN}"
            ))),
        }
    }

    /// Whether anything other than `skip` was given.
    pub(crate) fn has_key_settings(&self) -> bool {
        self.name.is_some()
            || self.kind.is_some()
            || self.default.is_some()
            || self.importance.is_some()
            || self.documentation.is_some()
            || self.validator.is_some()
            || self.recommender.is_some()
            || self.group.is_some()
            || self.order.is_some()
            || self.width.is_some()
            || self.display_name.is_some()
            || self.dependents.is_some()
            || self.internal
    }
}

/// Stores an attribute's value, refusing a second one.
fn set_once<T>(meta: &ParseNestedMeta<'_>, slot: &mut Option<T>, value: T) -> syn::Result<()> {
    if slot.is_some() {
        let name = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        return Err(meta.error(format!("duplicate config attribute `{name}`")));
    }
    *slot = Some(value);
    Ok(())
}

/// The text of a field's doc comment: lines trimmed and joined with spaces, blank lines kept as
/// paragraph breaks.
pub(crate) fn doc_comment(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            Meta::NameValue(name_value) => match &name_value.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(text),
                    ..
                }) => Some(text.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|text| {
            text.split('\n')
                .map(|line| line.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let paragraphs: Vec<String> = lines
        .split(String::is_empty)
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| paragraph.join(" "))
        .collect();
    if paragraphs.is_empty() {
        None
    } else {
        Some(paragraphs.join("\n\n"))
    }
}
