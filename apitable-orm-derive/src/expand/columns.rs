//! The typed column constants (`Task::TITLE`) and `impl Keyed`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{KeyMode, Table};

/// `impl Task { pub const TITLE: _p::Column<Task, String> = _p::Column::__new(0); … }`, each
/// with a generated doc line so that crates with `#![deny(missing_docs)]` compile.
pub(super) fn columns(model: &Table) -> TokenStream {
    let name = &model.ident;
    let consts = model.cells().map(|(field, cell)| {
        let vis = &field.vis;
        let ty = &field.ty;
        let index = cell.index;
        let const_name = &cell.const_name;
        let doc = match model.key_mode {
            KeyMode::Name => format!(
                "Typed handle for the field `{}` (Rust field `{}`).",
                cell.key, field.rust_name
            ),
            KeyMode::Id => format!(
                "Typed handle for the field with id `{}` (Rust field `{}`).",
                cell.key, field.rust_name
            ),
        };
        quote! {
            #[doc = #doc]
            #vis const #const_name: _p::Column<#name, #ty> = _p::Column::__new(#index);
        }
    });
    quote! {
        #[automatically_derived]
        impl #name {
            #(#consts)*
        }
    }
}

/// `impl Keyed` for the `key` field, if there is one.
pub(super) fn keyed(model: &Table) -> TokenStream {
    let name = &model.ident;
    let Some((field, cell)) = model.cells().find(|(_, c)| c.is_key) else {
        return TokenStream::new();
    };
    let ty = &field.ty;
    let index = cell.index;
    quote! {
        #[automatically_derived]
        impl _p::Keyed for #name {
            type Key = #ty;
            const KEY: _p::Column<Self, #ty> = _p::Column::__new(#index);
        }
    }
}
