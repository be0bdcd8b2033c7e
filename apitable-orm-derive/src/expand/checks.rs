//! Compile-time checks done by the type checker rather than by reading type names (a type
//! alias or a re-export would fool the latter).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::Table;

/// For each mapped field without `with`, a call that needs `Ty: FieldValue`, spanned at the
/// field's type: an unsupported type gets `FieldValue`'s "cannot be stored in an APITable
/// field" message right under the type.
pub(super) fn field_types(model: &Table) -> TokenStream {
    let asserts: Vec<_> = model
        .cells()
        .filter(|(_, cell)| cell.codec.is_none())
        .map(|(field, _)| {
            let ty = &field.ty;
            quote_spanned!(ty.span()=> let _: _p::Option<<#ty as _p::NativeCodec>::Codec> = _p::None;)
        })
        .collect();
    if asserts.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const _: () = { #(#asserts)* };
    }
}
