//! Stage 3: code generation. Only `quote!` here; every decision was made in `model`.
//!
//! Generated code refers to the runtime only through `_p::` (the runtime's hidden
//! `__private` module), so user items named `Result`, `Option`, `String`, `Default`… cannot
//! change its meaning.

mod checks;
mod columns;
mod field_value;
mod table_impl;

use proc_macro2::TokenStream;
use quote::quote;
use syn::Path;

use crate::model::{SelectEnum, Table};

pub(crate) use table_impl::codec as codec_of;

/// Everything `#[derive(Table)]` emits.
pub(crate) fn table(model: &Table) -> TokenStream {
    let body = [
        table_impl::slots(model),
        table_impl::table_impl(model),
        columns::columns(model),
        columns::keyed(model),
        checks::field_types(model),
        schema_checks(model),
    ];
    wrap_in_const(&model.krate, quote!(#(#body)*))
}

/// With `schema = "…"`: a dependency on the snapshot file (cargo rebuilds when it changes) and
/// the checks only the compiler can make.
fn schema_checks(model: &Table) -> TokenStream {
    let Some(checks) = &model.schema else {
        return TokenStream::new();
    };
    let path = &checks.path;
    let asserts = &checks.asserts;
    quote! {
        const _: &[u8] = ::core::include_bytes!(#path);
        #(#asserts)*
    }
}

/// Everything `#[derive(FieldValue)]` emits.
pub(crate) fn field_value(model: &SelectEnum) -> TokenStream {
    wrap_in_const(&model.krate, field_value::field_value(model))
}

/// One anonymous const holds the generated items, so their helper names (`_p`, the slots
/// struct) never reach the user's namespace.
fn wrap_in_const(krate: &Path, body: TokenStream) -> TokenStream {
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            use #krate as _apitable;
            use _apitable::__private as _p;
            #body
        };
    }
}
