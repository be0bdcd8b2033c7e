// Attachment cells can only be tested for emptiness.
use apitable_orm::prelude::*;
use apitable_orm::value::Attachment;

#[derive(Table)]
#[apitable(datasheet = "dstShop0000000001", rename_all = "PascalCase")]
struct Item {
    name: String,
    photos: Vec<Attachment>,
}

fn main() {
    let _ = Item::PHOTOS.has("cat.png");
}
