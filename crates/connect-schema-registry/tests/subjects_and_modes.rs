//! Subject name strategies, and how schema ids are found: registration, lookup
//! (`auto.register.schemas=false`) and the latest version (`use.latest.version`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{converter, id_of, read, registry, write};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};

fn order_schema(extra_field: bool) -> Schema {
    let mut builder = SchemaBuilder::struct_()
        .name("com.acme.Order")
        .field("id", Schema::int64());
    if extra_field {
        builder = builder.field("note", Schema::optional_string());
    }
    builder.build().unwrap()
}

fn order(schema: &Schema, id: i64) -> Value {
    Struct::new(schema.clone())
        .and_then(|s| s.with("id", id))
        .unwrap()
        .into()
}

#[tokio::test]
async fn subject_name_strategies_name_the_subjects() {
    let registry = registry().await;
    let url = registry.url();
    let schema = order_schema(false);
    let value = order(&schema, 1);
    let cases: [(&str, bool, &str, &[&str]); 5] = [
        ("TopicNameStrategy", false, "orders", &["orders-value"]),
        ("TopicNameStrategy", true, "orders", &["orders-key"]),
        (
            "io.confluent.kafka.serializers.subject.RecordNameStrategy",
            false,
            "orders-eu",
            &["com.acme.Order"],
        ),
        ("RecordNameStrategy", true, "orders-us", &["com.acme.Order"]),
        (
            "TopicRecordNameStrategy",
            false,
            "mixed",
            &["mixed-com.acme.Order"],
        ),
    ];
    for (strategy, is_key, topic, subjects) in cases {
        let key = if is_key {
            "key.subject.name.strategy"
        } else {
            "value.subject.name.strategy"
        };
        let converter = converter(&url, is_key, &[(key, strategy)]);
        let bytes = write(&converter, topic, Some(&schema), &value)
            .await
            .unwrap()
            .unwrap();
        for subject in subjects {
            assert!(
                registry.subject_ids(subject).contains(&id_of(&bytes)),
                "{strategy}: {subject} in {:?}",
                registry.subjects()
            );
        }
        let back = read(&converter, topic, Some(&bytes)).await.unwrap();
        assert_eq!(back.schema.unwrap().version(), Some(1), "{strategy}");
    }
    assert_eq!(
        registry.subjects(),
        [
            "com.acme.Order",
            "mixed-com.acme.Order",
            "orders-key",
            "orders-value"
        ]
    );
    // The strategy of the other part does not matter.
    let converter = converter(
        &url,
        false,
        &[("key.subject.name.strategy", "RecordNameStrategy")],
    );
    write(&converter, "other", Some(&schema), &value)
        .await
        .unwrap();
    assert!(registry.subjects().contains(&"other-value".to_owned()));
}

#[tokio::test]
async fn record_strategies_need_records() {
    let registry = registry().await;
    let converter = converter(
        &registry.url(),
        true,
        &[("key.subject.name.strategy", "RecordNameStrategy")],
    );
    let err = write(&converter, "t", Some(&Schema::string()), &"k".into())
        .await
        .unwrap_err();
    assert!(err.is_data());
    assert!(
        err.to_string().contains(
            "In configuration key.subject.name.strategy = \
             io.confluent.kafka.serializers.subject.RecordNameStrategy, the message key must \
             only be an Avro record schema"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn without_auto_registration_schemas_are_looked_up() {
    let registry = registry().await;
    let converter = converter(
        &registry.url(),
        false,
        &[("auto.register.schemas", "false")],
    );
    let schema = order_schema(false);
    let err = write(&converter, "orders", Some(&schema), &order(&schema, 1))
        .await
        .unwrap_err();
    assert!(err.is_data(), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("looking up a schema under subject 'orders-value'"),
        "{message}"
    );
    assert!(message.contains("error code 40401"), "{message}");
    assert!(registry.subjects().is_empty(), "nothing registered");

    // Registered by someone else (with the converter's Avro text, here by a registering
    // converter on another topic), the lookup finds it.
    let registering = common::converter(&registry.url(), false, &[]);
    let bytes = write(&registering, "orders", Some(&schema), &order(&schema, 1))
        .await
        .unwrap()
        .unwrap();
    let found = write(&converter, "orders", Some(&schema), &order(&schema, 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, bytes);

    // Another schema under an existing subject: 40403.
    let other = order_schema(true);
    let err = write(&converter, "orders", Some(&other), &order(&other, 2))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("error code 40403"), "{err}");
    assert_eq!(registry.subject_ids("orders-value").len(), 1);
}

#[tokio::test]
async fn use_latest_version_writes_with_the_latest_id() {
    let registry = registry().await;
    let url = registry.url();
    let latest = converter(
        &url,
        false,
        &[
            ("auto.register.schemas", "false"),
            ("use.latest.version", "true"),
        ],
    );
    let v1 = order_schema(false);
    let documented = SchemaBuilder::struct_()
        .name("com.acme.Order")
        .doc("the same layout, documented")
        .field("id", Schema::int64())
        .build()
        .unwrap();
    // No subject yet.
    let err = write(&latest, "orders", Some(&v1), &order(&v1, 1))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("fetching the latest schema"),
        "{err}"
    );
    assert!(err.to_string().contains("40401"), "{err}");

    let registering = converter(&url, false, &[]);
    let first = write(&registering, "orders", Some(&v1), &order(&v1, 1))
        .await
        .unwrap()
        .unwrap();
    let second = write(
        &registering,
        "orders",
        Some(&documented),
        &order(&documented, 1),
    )
    .await
    .unwrap()
    .unwrap();
    assert_ne!(id_of(&first), id_of(&second));
    // The latest (documented) schema has the same layout as v1: v1 data goes out with its id.
    let bytes = write(&latest, "orders", Some(&v1), &order(&v1, 7))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(id_of(&bytes), id_of(&second));
    let back = read(&latest, "orders", Some(&bytes)).await.unwrap();
    let back_schema = back.schema.unwrap();
    assert_eq!(back_schema.doc(), Some("the same layout, documented"));
    assert_eq!(back_schema.version(), Some(2));

    // A latest schema with another layout cannot carry the data.
    let v2 = order_schema(true);
    write(&registering, "orders", Some(&v2), &order(&v2, 1))
        .await
        .unwrap();
    let fresh = converter(
        &url,
        false,
        &[
            ("auto.register.schemas", "false"),
            ("use.latest.version", "true"),
        ],
    );
    let err = write(&fresh, "orders", Some(&v1), &order(&v1, 1))
        .await
        .unwrap_err();
    assert!(err.is_data());
    assert!(
        err.to_string().contains("does not have the binary layout"),
        "{err}"
    );
}

#[tokio::test]
async fn evolved_schemas_read_with_their_own_versions() {
    let registry = registry().await;
    let converter = converter(&registry.url(), false, &[]);
    let v1 = order_schema(false);
    let v2 = order_schema(true);
    let old = write(&converter, "orders", Some(&v1), &order(&v1, 1))
        .await
        .unwrap()
        .unwrap();
    let new = write(&converter, "orders", Some(&v2), &order(&v2, 2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        registry.subject_ids("orders-value"),
        [id_of(&old), id_of(&new)]
    );
    let reader = common::converter(&registry.url(), false, &[]);
    let old_back = read(&reader, "orders", Some(&old)).await.unwrap();
    let new_back = read(&reader, "orders", Some(&new)).await.unwrap();
    assert_eq!(old_back.schema.unwrap().version(), Some(1));
    let new_schema = new_back.schema.unwrap();
    assert_eq!(new_schema.version(), Some(2));
    assert_eq!(new_schema.fields().len(), 2);
}

#[tokio::test]
async fn incompatible_schemas_are_refused_by_the_registry() {
    let registry = registry().await;
    let converter = converter(&registry.url(), false, &[]);
    let v1 = order_schema(false);
    write(&converter, "orders", Some(&v1), &order(&v1, 1))
        .await
        .unwrap();
    // A new required field without a default cannot read old data.
    let breaking = SchemaBuilder::struct_()
        .name("com.acme.Order")
        .field("id", Schema::int64())
        .field("owner", Schema::string())
        .build()
        .unwrap();
    let value = Struct::new(breaking.clone())
        .and_then(|s| s.with("id", 1i64))
        .and_then(|s| s.with("owner", "x"))
        .unwrap();
    let err = write(&converter, "orders", Some(&breaking), &value.into())
        .await
        .unwrap_err();
    assert!(err.is_data());
    assert!(
        err.to_string().contains("HTTP 409, error code 409"),
        "{err}"
    );
    assert!(err.to_string().contains("incompatible"), "{err}");
}

#[tokio::test]
async fn data_registered_under_another_subject_reads_without_a_version() {
    let registry = registry().await;
    let by_record = converter(
        &registry.url(),
        false,
        &[("value.subject.name.strategy", "RecordNameStrategy")],
    );
    let schema = order_schema(false);
    let bytes = write(&by_record, "orders", Some(&schema), &order(&schema, 1))
        .await
        .unwrap()
        .unwrap();
    // A topic-name reader finds no `orders-value` subject: the data still reads, unversioned.
    let by_topic = converter(&registry.url(), false, &[]);
    let back = read(&by_topic, "orders", Some(&bytes)).await.unwrap();
    assert_eq!(back.schema.as_ref(), Some(&schema));
    assert_eq!(back.value, order(&schema, 1));
}
