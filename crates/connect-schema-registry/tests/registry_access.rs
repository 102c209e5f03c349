//! Reaching the registry: authentication, several URLs, retries, a registry that is down, and
//! the cache that keeps known schemas off the network.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{converter, id_of, read, registry, write};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value};
use connect_testkit::schema_registry::TestRegistry;

fn user_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("com.acme.User")
        .field("name", Schema::string())
        .field("age", Schema::int32())
        .build()
        .unwrap()
}

fn user(name: &str, age: i32) -> Value {
    Struct::new(user_schema())
        .and_then(|s| s.with("name", name))
        .and_then(|s| s.with("age", age))
        .unwrap()
        .into()
}

#[tokio::test]
async fn basic_authentication_from_user_info_or_the_url() {
    let registry = TestRegistry::builder()
        .basic_auth("ann", "s3cr3t:!")
        .start()
        .await
        .unwrap();
    let schema = user_schema();

    let anonymous = converter(&registry.url(), false, &[]);
    let err = write(&anonymous, "users", Some(&schema), &user("a", 1))
        .await
        .unwrap_err();
    assert!(err.is_data(), "a 401 is final: {err}");
    assert!(
        err.to_string()
            .contains("HTTP 401, error code 401: Unauthorized"),
        "{err}"
    );
    assert_eq!(registry.request_count(), 1, "4xx answers are not retried");

    let user_info = converter(
        &registry.url(),
        false,
        &[
            ("basic.auth.credentials.source", "USER_INFO"),
            ("basic.auth.user.info", "ann:s3cr3t:!"),
        ],
    );
    let bytes = write(&user_info, "users", Some(&schema), &user("a", 1))
        .await
        .unwrap()
        .unwrap();
    let back = read(&user_info, "users", Some(&bytes)).await.unwrap();
    assert_eq!(fields(&back.value), fields(&user("a", 1)));

    // The URL form, with the password percent-encoded as URLs need.
    let in_url = converter(
        &registry.url_with_credentials("ann", "s3cr3t%3A%21"),
        false,
        &[],
    );
    let again = write(&in_url, "users", Some(&schema), &user("a", 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, bytes);

    let wrong = converter(
        &registry.url(),
        false,
        &[
            ("basic.auth.credentials.source", "USER_INFO"),
            ("basic.auth.user.info", "ann:wrong"),
        ],
    );
    let err = read(&wrong, "users", Some(&bytes)).await.unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
    assert!(
        !err.to_string().contains("wrong"),
        "no credentials in messages: {err}"
    );
}

/// The field values of a struct value.
fn fields(value: &Value) -> Vec<Value> {
    value.as_struct().expect("a struct").values().to_vec()
}

#[tokio::test]
async fn the_hot_path_makes_no_http_call() {
    let registry = registry().await;
    let writer = converter(&registry.url(), false, &[]);
    let reader = converter(&registry.url(), false, &[]);
    let schema = user_schema();
    let first = write(&writer, "users", Some(&schema), &user("a", 1))
        .await
        .unwrap()
        .unwrap();
    read(&reader, "users", Some(&first)).await.unwrap();
    registry.reset_request_count();
    for i in 0..500 {
        // A new but equal schema each time, as records from a deserializer often have.
        let schema = user_schema();
        let value = Struct::new(schema.clone())
            .and_then(|s| s.with("name", format!("user {i}")))
            .and_then(|s| s.with("age", i))
            .unwrap();
        let bytes = write(&writer, "users", Some(&schema), &value.into())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(id_of(&bytes), id_of(&first));
        let back = read(&reader, "users", Some(&bytes)).await.unwrap();
        assert_eq!(
            back.value.as_struct().unwrap().get("age").unwrap(),
            &Value::Int32(i)
        );
    }
    assert_eq!(registry.request_count(), 0);

    // Known schemas keep converting while the registry is down.
    registry.stop().await;
    let bytes = write(&writer, "users", Some(&schema), &user("b", 2))
        .await
        .unwrap()
        .unwrap();
    read(&reader, "users", Some(&bytes)).await.unwrap();
}

#[tokio::test]
async fn a_registry_that_is_down_is_retried_then_reported_as_retriable() {
    let registry = registry().await;
    let converter = converter(&registry.url(), false, &[]);
    registry.stop().await;
    let started = Instant::now();
    let err = write(&converter, "users", Some(&user_schema()), &user("a", 1))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "bounded retries"
    );
    assert!(err.is_retriable(), "{err}");
    let message = err.to_string();
    assert!(message.contains("Schema Registry unavailable"), "{message}");
    assert!(message.contains("after 3 attempt(s)"), "{message}");
    assert!(message.contains(&registry.url()), "{message}");
    assert!(message.contains("topic 'users'"), "{message}");

    // Reading a schema it has not seen fails the same way.
    let err = read(&converter, "users", Some(&[0, 0, 0, 0, 1, 2, b'a', 2]))
        .await
        .unwrap_err();
    assert!(err.is_retriable(), "{err}");
    assert!(err.to_string().contains("fetching schema id 1"), "{err}");

    // Back on the same port, the same converter carries on.
    registry.restart().await.unwrap();
    let bytes = write(&converter, "users", Some(&user_schema()), &user("a", 1))
        .await
        .unwrap()
        .unwrap();
    let back = read(&converter, "users", Some(&bytes)).await.unwrap();
    assert_eq!(fields(&back.value), fields(&user("a", 1)));
}

#[tokio::test]
async fn server_errors_are_retried_and_client_errors_are_not() {
    let registry = registry().await;
    let converter = converter(&registry.url(), false, &[]);
    registry.fail_next(2, 503);
    let bytes = write(&converter, "users", Some(&user_schema()), &user("a", 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        registry.request_count(),
        3,
        "two 503s, then the registration"
    );
    assert_eq!(id_of(&bytes), 1);

    registry.reset_request_count();
    registry.fail_next(3, 500);
    let err = read(&converter, "users", Some(&[0, 0, 0, 0, 9, 0]))
        .await
        .unwrap_err();
    assert!(err.is_retriable(), "{err}");
    assert!(
        err.to_string().contains("HTTP 500, error code 50001"),
        "{err}"
    );
    assert_eq!(registry.request_count(), 3, "1 attempt + max.retries=2");

    registry.reset_request_count();
    registry.fail_next(1, 422);
    let other = SchemaBuilder::struct_()
        .name("com.acme.Other")
        .field("x", Schema::int32())
        .build()
        .unwrap();
    let value = Struct::new(other.clone())
        .and_then(|s| s.with("x", 1))
        .unwrap();
    let err = write(&converter, "others", Some(&other), &value.into())
        .await
        .unwrap_err();
    assert!(err.is_data(), "{err}");
    assert!(
        err.to_string().contains("HTTP 422, error code 42201"),
        "{err}"
    );
    assert_eq!(registry.request_count(), 1);
}

#[tokio::test]
async fn unreachable_urls_fail_over_to_the_next() {
    let registry = registry().await;
    // A loopback port nobody listens on.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let urls = format!("http://127.0.0.1:{dead},{}", registry.url());
    let converter = converter(&urls, false, &[("max.retries", "0")]);
    let bytes = write(&converter, "users", Some(&user_schema()), &user("a", 1))
        .await
        .unwrap()
        .unwrap();
    read(&converter, "users", Some(&bytes)).await.unwrap();
    assert_eq!(registry.subjects(), ["users-value"]);
}

#[tokio::test]
async fn unknown_ids_and_corrupt_bytes_are_clear_errors() {
    let registry = registry().await;
    let converter = converter(&registry.url(), true, &[]);
    let good = write(&converter, "users", Some(&user_schema()), &user("Ann", 30))
        .await
        .unwrap()
        .unwrap();

    let err = read(&converter, "users", Some(&[0, 0, 0, 0, 99, 0]))
        .await
        .unwrap_err();
    assert!(err.is_data(), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("schema id 99 is not in the Schema Registry"),
        "{message}"
    );
    assert!(
        message.contains("error code 40403: Schema 99 not found"),
        "{message}"
    );
    assert!(
        message.contains("the key of a record of topic 'users'"),
        "{message}"
    );

    let err = read(&converter, "users", Some(br#"{"name":"Ann"}"#))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(err.is_data());
    for part in [
        "not in Confluent's Schema Registry wire format",
        "magic byte 0, then a 4-byte big-endian schema id",
        "found magic byte 0x7b ('{') in 14 byte(s)",
        "io.confluent.connect.avro.AvroConverter",
        "topic 'users'",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    let err = read(&converter, "users", Some(&[0, 0, 1]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only 3 byte(s)"), "{err}");
    let err = read(&converter, "users", Some(&[])).await.unwrap_err();
    assert!(err.to_string().contains("no bytes at all"), "{err}");

    // A truncated body: the name's length says 3 bytes, one is there.
    let truncated = &good[..7];
    let err = read(&converter, "users", Some(truncated))
        .await
        .unwrap_err();
    assert!(err.is_data());
    assert!(
        err.to_string()
            .contains("the Avro body (2 bytes after the 5-byte header) does not match schema id 1"),
        "{err}"
    );

    // Garbage after a valid header never panics, whatever it is.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for length in 0..200 {
        let mut bytes = good[..5].to_vec();
        for _ in 0..length % 40 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(seed as u8);
        }
        // Either it happens to decode, or it is a data error.
        if let Err(err) = read(&converter, "users", Some(&bytes)).await {
            assert!(err.is_data(), "{err}");
        }
    }
    // A huge length prefix.
    let mut huge = good[..5].to_vec();
    huge.extend_from_slice(&[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    assert!(read(&converter, "users", Some(&huge)).await.is_err());
    // The good bytes still read.
    read(&converter, "users", Some(&good)).await.unwrap();
}
