//! `impl Table`: the `FIELDS` metadata table and one line per field for decoding, finishing
//! and encoding. Everything else is generic runtime code.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::model::{Cell, Field, KeyMode, Role, Table};

/// The name of the slots struct, `__TaskSlots`.
fn slots_ident(model: &Table) -> Ident {
    format_ident!("__{}Slots", model.ident)
}

/// The codec of a cell: its `with` type, or `<Ty as _p::NativeCodec>::Codec` (that is,
/// `Native<Ty>`). Spanned at the field's type (or
/// the `with` type) so trait errors point there.
pub(crate) fn codec(field: &Field, cell: &Cell) -> TokenStream {
    let ty = &field.ty;
    match &cell.codec {
        Some(with) => quote_spanned!(with.span()=> #with),
        None => quote_spanned!(ty.span()=> <#ty as _p::NativeCodec>::Codec),
    }
}

/// `pub struct __TaskSlots`: one `Option` per mapped field, filled while reading a record.
pub(super) fn slots(model: &Table) -> TokenStream {
    let name = slots_ident(model);
    let (members, types): (Vec<_>, Vec<_>) = model.cells().map(|(f, _)| (&f.member, &f.ty)).unzip();
    quote! {
        #[doc(hidden)]
        pub struct #name {
            #(#members: _p::Option<#types>,)*
        }

        impl _p::Default for #name {
            fn default() -> Self {
                Self { #(#members: _p::None,)* }
            }
        }
    }
}

/// `impl _p::Table for Task`.
pub(super) fn table_impl(model: &Table) -> TokenStream {
    let name = &model.ident;
    let slots = slots_ident(model);
    let datasheet = &model.datasheet;
    let view = match &model.view {
        Some(v) => quote!(_p::Some(#v)),
        None => quote!(_p::None),
    };
    let field_key = match model.key_mode {
        KeyMode::Name => quote!(_p::FieldKey::Name),
        KeyMode::Id => quote!(_p::FieldKey::Id),
    };

    let mut metas = Vec::new();
    let mut decode_arms = Vec::new();
    let mut encodes = Vec::new();
    let mut compares = Vec::new();
    for (field, cell) in model.cells() {
        let ty = &field.ty;
        let codec = codec(field, cell);
        let rust_name = &field.rust_name;
        let key = &cell.key;
        let index = cell.index;
        let member = &field.member;
        let read_only = cell.read_only;
        metas.push(quote_spanned! {ty.span()=>
            _p::field_meta::<#codec, #ty>(#rust_name, #key, #read_only)
        });
        decode_arms.push(quote! {
            #index => __slots.#member = _p::decode_cell::<#codec, #ty, __A>(
                __map, &<Self as _p::Table>::FIELDS[#index], __ctx)?,
        });
        if !cell.read_only {
            encodes.push(quote! {
                _p::encode::<#codec, #ty>(__cells, &<Self as _p::Table>::FIELDS[#index], &self.#member);
            });
            compares.push(quote! {
                #index => _p::matches_stored::<#codec, #ty>(&self.#member, &__stored.#member),
            });
        }
    }
    let key_field = match model.cells().find(|(_, c)| c.is_key) {
        Some((_, cell)) => {
            let key = &cell.key;
            quote!(_p::Some(#key))
        }
        None => quote!(_p::None),
    };
    if encodes.is_empty() {
        encodes.push(quote!(let _ = __cells;));
    }

    let finishes = model.fields.iter().map(|field| {
        let member = &field.member;
        let ty = &field.ty;
        let value = match &field.role {
            Role::Cell(cell) if cell.default => {
                quote_spanned!(ty.span()=> _p::finish_default::<#ty>(__slots.#member)?)
            }
            Role::Cell(cell) => {
                let codec = codec(field, cell);
                let index = cell.index;
                quote!(_p::finish::<#codec, #ty>(__slots.#member, &<Self as _p::Table>::FIELDS[#index])?)
            }
            Role::RecordId => quote_spanned!(ty.span()=> <#ty as _p::RecordIdField>::from_id(__id)),
            Role::Skip => quote_spanned!(ty.span()=> _p::Default::default()),
        };
        quote!(#member: #value,)
    });

    let id_field = model
        .fields
        .iter()
        .find(|f| matches!(f.role, Role::RecordId));
    let (get_id, set_id) = match id_field {
        Some(f) => {
            let member = &f.member;
            let ty = &f.ty;
            (
                quote!(<#ty as _p::RecordIdField>::get(&self.#member)),
                quote!(<#ty as _p::RecordIdField>::set(&mut self.#member, __id)),
            )
        }
        None => (quote!(_p::None), quote!(let _ = __id;)),
    };
    // Without a record id field the id is not needed while finishing.
    let id_param = match id_field {
        Some(_) => quote!(__id),
        None => quote!(_),
    };

    quote! {
        #[automatically_derived]
        impl _p::Table for #name {
            const DATASHEET: &'static _p::str = #datasheet;
            const VIEW: _p::Option<&'static _p::str> = #view;
            const FIELD_KEY: _p::FieldKey = #field_key;
            const FIELDS: &'static [_p::FieldMeta] = &[#(#metas),*];
            const KEY_FIELD: _p::Option<&'static _p::str> = #key_field;
            type __Slots = #slots;

            fn __decode_cell<'de, __A: _p::MapAccess<'de>>(
                __slots: &mut #slots,
                __index: _p::usize,
                __map: &mut __A,
                __ctx: &_p::DecodeCtx,
            ) -> _p::Result<(), __A::Error> {
                match __index {
                    #(#decode_arms)*
                    _ => {}
                }
                _p::Ok(())
            }

            fn __finish(__slots: #slots, #id_param: &_p::RecordId) -> _p::Result<Self, _p::DecodeError> {
                _p::Ok(Self { #(#finishes)* })
            }

            fn __encode(&self, __cells: &mut _p::Fields) {
                #(#encodes)*
            }

            fn __matches_stored(&self, __stored: &Self, __index: _p::usize) -> _p::bool {
                match __index {
                    #(#compares)*
                    _ => true,
                }
            }

            fn record_id(&self) -> _p::Option<&_p::RecordId> {
                #get_id
            }

            fn set_record_id(&mut self, __id: _p::RecordId) {
                #set_id
            }
        }
    }
}
