//! The typed column constants (`Task::TITLE`) and `impl Keyed`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{KeyMode, Table};

/// `impl Task { pub const TITLE: _p::Column<Task, String> = _p::Column::__new(0, |row| &row.title); … }`, each
/// with a generated doc line so that crates with `#![deny(missing_docs)]` compile.
pub(super) fn columns(model: &Table) -> TokenStream {
    let name = &model.ident;
    let consts = model.cells().map(|(field, cell)| {
        let vis = &field.vis;
        let ty = &field.ty;
        let index = cell.index;
        let const_name = &cell.const_name;
        let member = &field.member;
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
            #vis const #const_name: _p::Column<#name, #ty> =
                _p::Column::__new(#index, |__row: &#name| &__row.#member);
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
    let member = &field.member;
    let codec = super::table_impl::codec(field, cell);
    // A key whose type the server computes (`Computed<T>`, `User`…) could never be written by
    // an upsert; `read_only` written on the field was already refused by `check`.
    let message = format!(
        "`key` is on `{}`, whose type is computed by the server (read-only); put `key` on a writable field",
        field.rust_name
    );
    let writable = quote_spanned! {ty.span()=>
        const _: () = ::core::assert!(!<#codec as _p::FieldCodec<#ty>>::READ_ONLY, #message);
    };
    quote! {
        #[automatically_derived]
        impl _p::Keyed for #name {
            type Key = #ty;
            const KEY: _p::Column<Self, #ty> = _p::Column::__new(#index, |__row: &#name| &__row.#member);
        }

        #writable
    }
}
