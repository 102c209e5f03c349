//! Builds source records with a struct schema, a logical timestamp and headers, writes them in
//! Kafka Connect's JSON envelope exactly as Apache Kafka's JsonConverter would, and reads them
//! back.
//!
//! ```text
//! cargo run -p connect-examples --example records_to_json
//! ```

use anyhow::{Context, ensure};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use connect_api::header::Headers;
use connect_api::record::{OffsetMap, SourceRecord};
use connect_api::storage::{builtin_converter, builtin_header_converter};
use futures::executor::block_on;
use serde_json::json;

fn main() -> anyhow::Result<()> {
    block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let order = SchemaBuilder::struct_()
        .name("com.example.Order")
        .field("id", Schema::int64())
        .field("customer", Schema::string())
        .field("amount", logical::decimal_schema(2))
        .field("placed", logical::timestamp_schema())
        .field("note", Schema::optional_string())
        .build()?;

    // Converters resolve by the class names found in existing Kafka Connect configurations.
    let mut values = builtin_converter("org.apache.kafka.connect.json.JsonConverter")
        .context("JsonConverter is built in")?;
    values.configure(&[("decimal.format".into(), "NUMERIC".into())].into(), false)?;
    let headers_out = builtin_header_converter("SimpleHeaderConverter")
        .context("SimpleHeaderConverter is built in")?;

    let partition: OffsetMap = json!({"table": "orders"})
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (id, customer, cents) in [(1i64, "ada", 1999i64), (2, "grace", 45_00)] {
        let value = Struct::new(order.clone())?
            .with("id", id)?
            .with("customer", customer)?
            .with("amount", Value::Decimal((cents, 2).into()))?
            .with("placed", Value::Timestamp(1_700_000_000_000 + id))?;
        let mut headers = Headers::new();
        headers
            .add_string("source", "example")
            .add_int32("attempt", 1);
        let offset: OffsetMap = json!({"id": id}).as_object().cloned().unwrap_or_default();
        let record = SourceRecord::new(
            partition.clone(),
            offset,
            "orders",
            Some(order.clone()),
            value.into(),
        )
        .with_headers(headers);

        let mut headers = record.headers.clone();
        let bytes = values
            .from_connect_data(
                &record.topic,
                &mut headers,
                record.value_schema.as_ref(),
                &record.value,
            )
            .await?
            .context("a struct value is never a tombstone")?;
        println!("{}", String::from_utf8_lossy(&bytes));
        for header in &headers {
            let text = headers_out.from_connect_header(
                &record.topic,
                header.key(),
                header.schema(),
                header.value(),
            )?;
            let text = text.map(|b| String::from_utf8_lossy(&b).into_owned());
            println!("  header {} = {}", header.key(), text.unwrap_or_default());
        }

        let back = values
            .to_connect_data(&record.topic, &headers, Some(&bytes))
            .await?;
        ensure!(
            back.schema.as_ref() == Some(&order),
            "schema changed in the round trip"
        );
        ensure!(
            back.value == record.value,
            "value changed in the round trip"
        );
    }
    println!("2 records written and read back unchanged");
    Ok(())
}
