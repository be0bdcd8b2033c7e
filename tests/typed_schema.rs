//! Typed field settings end to end: a datasheet created from `NewProperty` values reads back,
//! through `GET …/fields`, as the same values; views come back typed.

use apitable_emulator::Emulator;
use apitable_orm::api::{
    DateFormat, FieldType, LinkProperty, NewDatasheet, NewField, NewProperty, SelectOption,
    SymbolAlign, ViewType,
};
use apitable_orm::{Client, DatasheetId, SpaceId};

#[tokio::test]
async fn typed_settings_survive_a_trip_through_the_server() {
    let emu = Emulator::builder().start().await.unwrap();
    let client = Client::for_emulator(&emu).unwrap();
    let space: SpaceId = emu.space_id().parse().unwrap();
    let other = client
        .space(&space)
        .create_datasheet(&NewDatasheet::new("Suppliers"))
        .await
        .unwrap();

    let wanted = vec![
        (
            "Name",
            NewProperty::SingleText {
                default_value: None,
            },
        ),
        ("Notes", NewProperty::Text),
        (
            "Weight",
            NewProperty::Number {
                precision: 3,
                symbol: Some("kg".into()),
            },
        ),
        (
            "Price",
            NewProperty::Currency {
                precision: 2,
                symbol: "€".into(),
                align: SymbolAlign::Right,
            },
        ),
        ("Margin", NewProperty::Percent { precision: 1 }),
        (
            "Stars",
            NewProperty::Rating {
                icon: "star".into(),
                max: 5,
            },
        ),
        (
            "Done",
            NewProperty::Checkbox {
                icon: "white_check_mark".into(),
            },
        ),
        (
            "Size",
            NewProperty::SingleSelect {
                options: vec![SelectOption::new("Small"), SelectOption::new("Large")],
            },
        ),
        (
            "Tags",
            NewProperty::MultiSelect {
                options: vec![SelectOption::new("new"), SelectOption::new("sale")],
            },
        ),
        (
            "Due",
            NewProperty::DateTime(DateFormat::date("YYYY-MM-DD").with_time()),
        ),
        ("Site", NewProperty::Url),
        ("Email", NewProperty::Email),
        ("Phone", NewProperty::Phone),
        ("Files", NewProperty::Attachment),
        (
            "Owner",
            NewProperty::Member {
                multiple: true,
                notify: false,
            },
        ),
        (
            "Supplier",
            NewProperty::OneWayLink(LinkProperty::to(other.id.to_string()).single()),
        ),
        (
            "Total",
            NewProperty::Formula {
                expression: "{Price} * 2".into(),
            },
        ),
        ("Number", NewProperty::AutoNumber),
        (
            "Created",
            NewProperty::CreatedTime(DateFormat::date("YYYY/MM/DD")),
        ),
    ];
    let mut sheet = NewDatasheet::new("Stock");
    for (name, property) in &wanted {
        sheet = sheet.field(NewField::typed(*name, property.clone()));
    }
    let created = client.space(&space).create_datasheet(&sheet).await.unwrap();
    let dst: DatasheetId = created.id.to_string().parse().unwrap();

    let fields = client.datasheet(&dst).fields(None).await.unwrap();
    assert_eq!(fields.len(), wanted.len());
    for (name, property) in &wanted {
        let info = fields
            .iter()
            .find(|f| f.name == *name)
            .unwrap_or_else(|| panic!("field {name} was created"))
            .clone();
        assert_eq!(info.field_type, property.field_type(), "{name}");
        let read = info.into_schema().new_property();
        assert_eq!(read.as_ref(), Some(property), "{name}");
    }
    assert_eq!(
        fields
            .iter()
            .find(|f| f.name == "Total")
            .unwrap()
            .field_type,
        FieldType::Formula
    );

    let views = client.datasheet(&dst).views().await.unwrap();
    assert_eq!(views[0].view_type, ViewType::Grid);
    emu.shutdown().await;
}
