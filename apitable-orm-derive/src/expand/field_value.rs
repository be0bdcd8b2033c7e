//! `#[derive(FieldValue)]`: a fieldless enum as the options of a single-select field.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::SelectEnum;

pub(super) fn field_value(model: &SelectEnum) -> TokenStream {
    let name = &model.ident;
    let (variants, options): (Vec<_>, Vec<_>) =
        model.options.iter().map(|(v, o)| (v, o.as_str())).unzip();
    let expected = format!(
        "one of the options {}",
        options
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        #[automatically_derived]
        impl #name {
            /// The option names of this single-select field, in declaration order.
            pub const OPTIONS: &'static [&'static _p::str] = &[#(#options),*];
        }

        #[automatically_derived]
        impl _p::FieldValue for #name {
            const EXPECTED: &'static _p::str = #expected;
            const SHAPE: _p::Shape = _p::Shape::of(_p::Kind::Choice);
            const OPTIONS: _p::Option<&'static [&'static _p::str]> = _p::Some(Self::OPTIONS);

            fn decode<'de, __D: _p::De<'de>>(__cell: __D) -> _p::Result<Self, __D::Error> {
                let __name = _p::option_name(__cell)?;
                match &*__name {
                    #(#options => _p::Ok(Self::#variants),)*
                    __other => _p::Err(_p::unknown_option(__other, Self::OPTIONS)),
                }
            }

            fn encode(&self) -> _p::Value {
                _p::Value::from(match self {
                    #(Self::#variants => #options,)*
                })
            }
        }

        #[automatically_derived]
        impl _p::Operand<Self> for #name {
            fn into_lit(self) -> _p::Lit {
                _p::option_literal(match self {
                    #(Self::#variants => #options,)*
                })
            }
        }

        #[automatically_derived]
        impl _p::Scalar for #name {
            type Family = Self;
        }

        #[automatically_derived]
        impl _p::ListElement for #name {}
    }
}
