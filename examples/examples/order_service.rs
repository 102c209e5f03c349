//! A service with its own source connector: shops generate orders, the runtime writes them to
//! the topic `orders`, and Kafka's FileStreamSink copies the topic into a file of JSON lines.
//!
//! What a connector author needs, in one file:
//!
//! * a typed configuration declared once with `#[derive(ConnectConfig)]` ([`OrderSourceConfig`]),
//!   which the runtime also uses to validate `create_connector` calls;
//! * a [`SourceConnector`] that spreads its source partitions (one per shop) over at most
//!   `tasks.max` tasks in [`Connector::task_configs`];
//! * a [`SourceTask`] whose records carry a `Struct` value with a schema, a key, a source
//!   partition `{"shop": "shop-1"}` and a source offset `{"order_id": 41}`, and that resumes
//!   after a restart from the offsets the runtime committed (read on `start` through the task
//!   context's offset storage reader);
//! * registering the connector with `Plugins::builtin().with_source_connector(...)`;
//! * a graceful shutdown on Ctrl-C or SIGTERM: `runtime.shutdown()` commits the source offsets
//!   and the sink's consumer offsets, so a restart neither repeats nor skips an order.
//!
//! ```text
//! cargo run -p connect-examples --example order_service -- --dir /tmp/orders
//! tail -f /tmp/orders/orders.jsonl       # {"order_id":0,"shop":"shop-0",...}
//! # Ctrl-C, then run the same command again: every shop goes on where it stopped.
//! ```
//!
//! Without `--dir` the state goes to a new directory under the system's temporary directory,
//! printed at start. With `--bootstrap-servers HOST:PORT` the topic lives on that Kafka cluster
//! instead of the embedded log; source offsets stay in the offsets file in `--dir`, the sink's
//! consumer offsets in Kafka. `--shops`, `--orders-per-second` and `--tasks` shape the load.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::bail;
use async_trait::async_trait;
use clap::Parser;
use connect_api::config::{
    ConfigDef, ConfigMap, ConfigValue, ConnectConfig, LambdaValidator, NonEmptyString, Range,
    invalid_value,
};
use connect_api::connector::{
    Connector, SourceConnector, SourceConnectorContext, group_partitions,
};
use connect_api::data::{Schema, SchemaBuilder, Struct, Value, logical};
use connect_api::error::{ConnectError, Result};
use connect_api::record::{OffsetMap, SourceRecord};
use connect_api::task::{SourceTask, SourceTaskContext};
use connect_examples::{Signals, failure, init_tracing, path_str, props, state_dir};
use connect_runtime::Runtime;
use connect_runtime::config::WorkerConfig;
use connect_runtime::offsets::{FileOffsetStore, OffsetStore};
use connect_runtime::plugins::Plugins;
use tokio::time::Instant;

// ---------------------------------------------------------------------------------------------
// The connector: what a plugin crate would hold. It depends on `connect-api` only.
// ---------------------------------------------------------------------------------------------

/// The configuration of the order connector and of each of its tasks.
///
/// Every field is a key: `topic`, `shops` and `orders.per.second` (underscores become dots).
/// Doc comments become the keys' documentation, as `GET /connector-plugins/OrderSource/config`
/// shows it.
#[derive(Debug, Clone, ConnectConfig)]
struct OrderSourceConfig {
    /// The topic to write the orders to.
    #[config(importance = "high", validator = NonEmptyString)]
    topic: String,
    /// The shops to generate orders for, each a source partition with its own order ids.
    #[config(importance = "high", validator = non_empty_list())]
    shops: Vec<String>,
    /// How many orders each shop places per second.
    #[config(default = 5, validator = Range::between(1, 10_000))]
    orders_per_second: i32,
}

/// Rejects an empty list: a connector without shops has nothing to do.
fn non_empty_list() -> LambdaValidator {
    LambdaValidator::with(
        |name, value| match value.and_then(ConfigValue::as_list) {
            Some(list) if !list.is_empty() => Ok(()),
            _ => Err(invalid_value(name, value, "List must not be empty")),
        },
        "non-empty list",
    )
}

/// The source partition of a shop: `{"shop": "<name>"}`.
const SHOP_FIELD: &str = "shop";
/// The source offset of an order: `{"order_id": <the id of the last order written>}`.
const ORDER_ID_FIELD: &str = "order_id";

/// Generates orders for a list of shops.
#[derive(Debug, Default)]
struct OrderSourceConnector {
    /// The configuration as given, handed on to the tasks.
    props: ConfigMap,
    /// The shops, parsed once in `start`.
    shops: Vec<String>,
}

impl OrderSourceConnector {
    /// The class name a configuration gives in `connector.class`. Like Kafka Connect, the
    /// runtime also accepts `OrderSourceConnector` and `OrderSource`.
    const CLASS: &'static str = "com.example.orders.OrderSourceConnector";
}

#[async_trait]
impl Connector for OrderSourceConnector {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }

    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        // Parsing again here (the runtime validated already) gives the typed values.
        let config = OrderSourceConfig::from_props(props)?;
        self.shops = config.shops;
        self.props = props.clone();
        Ok(())
    }

    /// One task per group of shops: three shops and `tasks.max=2` give tasks with
    /// `shops=shop-0,shop-1` and `shops=shop-2`. Each task reads the same typed configuration.
    fn task_configs(&self, max_tasks: usize) -> Result<Vec<ConfigMap>> {
        let groups = group_partitions(&self.shops, max_tasks.min(self.shops.len()))?;
        Ok(groups
            .into_iter()
            .map(|shops| {
                let mut props = self.props.clone();
                props.insert("shops".to_owned(), shops.join(","));
                props
            })
            .collect())
    }

    async fn stop(&mut self) -> Result<()> {
        Ok(())
    }

    fn config(&self) -> ConfigDef {
        OrderSourceConfig::config_def()
    }
}

impl SourceConnector for OrderSourceConnector {
    fn initialize(&mut self, _context: Arc<dyn SourceConnectorContext>) {}

    /// Tasks are built from nothing: they read their shops from their own configuration.
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(OrderSourceTask::default())
    }
}

/// One shop as a task sees it.
#[derive(Debug)]
struct Shop {
    name: String,
    /// `{"shop": name}`, shared by all of the shop's records.
    partition: Arc<OffsetMap>,
    /// The id the next order gets.
    next_id: i64,
}

/// What a started task holds.
#[derive(Debug)]
struct Generator {
    topic: Arc<str>,
    schema: Schema,
    shops: Vec<Shop>,
    interval: Duration,
    /// When the next round of orders is due.
    next_round: Instant,
}

/// Places one order per shop every `1 / orders.per.second` seconds.
#[derive(Default)]
struct OrderSourceTask {
    context: Option<Arc<dyn SourceTaskContext>>,
    generator: Option<Generator>,
}

/// The schema of an order; JSON without schemas writes it as
/// `{"order_id":0,"shop":"shop-0","customer":"customer-42","amount_cents":1250,"created_at":...}`.
fn order_schema() -> Result<Schema> {
    Ok(SchemaBuilder::struct_()
        .name("com.example.orders.Order")
        .field(ORDER_ID_FIELD, Schema::int64())
        .field(SHOP_FIELD, Schema::string())
        .field("customer", Schema::string())
        .field("amount_cents", Schema::int64())
        .field("created_at", logical::timestamp_schema())
        .build()?)
}

/// The offset committed for `shop` tells where it stopped: the next id follows it.
fn next_order_id(shop: &str, offset: Option<&OffsetMap>) -> Result<i64> {
    let Some(offset) = offset else {
        return Ok(0);
    };
    match offset
        .get(ORDER_ID_FIELD)
        .and_then(serde_json::Value::as_i64)
    {
        Some(last) => Ok(last + 1),
        None => Err(ConnectError::other(format!(
            "the stored offset of shop {shop} has no integer {ORDER_ID_FIELD}: {}",
            serde_json::Value::from(offset.clone())
        ))),
    }
}

/// A stand-in for real data: the same shop and id always give the same customer and amount.
fn mix(shop: &str, id: i64) -> u64 {
    let seed = shop.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    // splitmix64
    let mut z = seed ^ (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Generator {
    /// The next order of `shop`, as a record; does not advance the shop.
    fn order(&self, shop: &Shop, now_ms: i64) -> Result<SourceRecord> {
        let id = shop.next_id;
        let noise = mix(&shop.name, id);
        let value = Struct::new(self.schema.clone())?
            .with(ORDER_ID_FIELD, id)?
            .with(SHOP_FIELD, shop.name.as_str())?
            .with("customer", format!("customer-{}", noise % 1000))?
            .with("amount_cents", 100 + ((noise >> 10) % 20_000) as i64)?
            .with("created_at", Value::Timestamp(now_ms))?;
        let mut offset = OffsetMap::new();
        offset.insert(ORDER_ID_FIELD.to_owned(), id.into());
        // The shop is the key, so that a shop's orders share a Kafka partition and stay in order.
        Ok(SourceRecord::new(
            shop.partition.clone(),
            offset,
            self.topic.clone(),
            Some(self.schema.clone()),
            value.into(),
        )
        .with_key(Some(Schema::string()), shop.name.as_str().into())
        .with_timestamp(now_ms))
    }
}

#[async_trait]
impl SourceTask for OrderSourceTask {
    fn version(&self) -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }

    /// The runtime hands over the context before `start`; it reads the committed offsets.
    fn initialize(&mut self, context: Arc<dyn SourceTaskContext>) {
        self.context = Some(context);
    }

    async fn start(&mut self, props: &ConfigMap) -> Result<()> {
        let config = OrderSourceConfig::from_props(props)?;
        let context = self
            .context
            .as_ref()
            .ok_or_else(|| ConnectError::other("the task was started before it was initialized"))?;
        let partitions: Vec<OffsetMap> = config
            .shops
            .iter()
            .map(|shop| {
                let mut partition = OffsetMap::new();
                partition.insert(SHOP_FIELD.to_owned(), shop.as_str().into());
                partition
            })
            .collect();
        // One read for all of this task's shops: where each stopped, if it ran before.
        let stored = context.offset_storage_reader().offsets(&partitions).await?;
        let mut shops = Vec::with_capacity(stored.len());
        for (name, (partition, offset)) in config.shops.iter().zip(stored) {
            let next_id = next_order_id(name, offset.as_ref())?;
            // A plugin crate would log this with `tracing`; the example prints it.
            println!("{name}: starting at order {next_id}");
            shops.push(Shop {
                name: name.clone(),
                partition: Arc::new(partition),
                next_id,
            });
        }
        let per_second = u32::try_from(config.orders_per_second).unwrap_or(1).max(1);
        self.generator = Some(Generator {
            topic: config.topic.into(),
            schema: order_schema()?,
            shops,
            interval: Duration::from_secs(1) / per_second,
            next_round: Instant::now(),
        });
        Ok(())
    }

    /// Waits for the next round, then returns one order per shop.
    ///
    /// Cancel-safe, as the runtime requires: the only `.await` comes before any state changes,
    /// so a poll dropped while it waits loses nothing.
    async fn poll(&mut self) -> Result<Vec<SourceRecord>> {
        let generator = self
            .generator
            .as_mut()
            .ok_or_else(|| ConnectError::other("the task was polled before it was started"))?;
        tokio::time::sleep_until(generator.next_round).await;
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
            });
        let records = generator
            .shops
            .iter()
            .map(|shop| generator.order(shop, now_ms))
            .collect::<Result<Vec<_>>>()?;
        for shop in &mut generator.shops {
            shop.next_id += 1;
        }
        // After a pause, go on at the configured rate instead of catching up in a burst.
        generator.next_round = (generator.next_round + generator.interval).max(Instant::now());
        Ok(records)
    }

    async fn stop(&mut self) -> Result<()> {
        self.generator = None;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The service: a worker with the order connector registered, and a sink that shows the result.
// ---------------------------------------------------------------------------------------------

/// Generates orders into a topic and copies the topic into a file of JSON lines.
#[derive(Debug, Parser)]
#[command(name = "order_service")]
struct Args {
    /// Where the embedded log, the offsets file and the output file live [default: a new
    /// temporary directory].
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Kafka brokers (HOST:PORT,...) to run on instead of the embedded log.
    #[arg(long)]
    bootstrap_servers: Option<String>,
    /// How many shops place orders (`shop-0`, `shop-1`, ...).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    shops: u16,
    /// How many orders each shop places per second.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=10_000))]
    orders_per_second: u16,
    /// The most tasks the shops are spread over.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    tasks: u16,
}

/// The names of this service's connectors.
const SOURCE: &str = "orders";
const SINK: &str = "orders-to-file";
/// The topic between them.
const TOPIC: &str = "orders";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let args = Args::parse();
    // Listen for signals before anything starts, so that an early SIGTERM stops the service
    // cleanly instead of killing it.
    let mut signals = Signals::listen()?;

    let dir = state_dir(args.dir.clone(), "orders")?;
    let (offsets, log_dir, output) = (
        dir.join("connect.offsets"),
        dir.join("connect-log"),
        dir.join("orders.jsonl"),
    );

    // The worker: values as JSON without schemas, source offsets in a file, committed every
    // second (and at shutdown). Without bootstrap.servers it runs on the embedded log.
    let mut worker = props(&[
        (
            "key.converter",
            "org.apache.kafka.connect.storage.StringConverter",
        ),
        (
            "value.converter",
            "org.apache.kafka.connect.json.JsonConverter",
        ),
        ("value.converter.schemas.enable", "false"),
        ("offset.storage.file.filename", path_str(&offsets)?),
        ("embedded.log.dir", path_str(&log_dir)?),
        ("offset.flush.interval.ms", "1000"),
    ]);
    if let Some(servers) = &args.bootstrap_servers {
        worker.insert("bootstrap.servers".to_owned(), servers.clone());
    }
    let plugins = Plugins::builtin().with_source_connector(OrderSourceConnector::CLASS, || {
        Box::new(OrderSourceConnector::default())
    });
    let runtime = Runtime::builder(WorkerConfig::standalone(worker)?)
        .plugins(plugins)
        .build()
        .await?;

    let shops: Vec<String> = (0..args.shops).map(|n| format!("shop-{n}")).collect();
    let (tasks, rate) = (args.tasks.to_string(), args.orders_per_second.to_string());
    runtime
        .create_connector(
            props(&[
                ("name", SOURCE),
                ("connector.class", "OrderSource"),
                ("tasks.max", &tasks),
                ("topic", TOPIC),
                ("shops", &shops.join(",")),
                ("orders.per.second", &rate),
            ]),
            None,
        )
        .await?;
    // The topic holds JSON text already; the sink's StringConverter hands it through as is,
    // so each line of the file is one order as JSON.
    runtime
        .create_connector(
            props(&[
                ("name", SINK),
                ("connector.class", "FileStreamSink"),
                ("topics", TOPIC),
                ("file", path_str(&output)?),
                (
                    "value.converter",
                    "org.apache.kafka.connect.storage.StringConverter",
                ),
            ]),
            None,
        )
        .await?;

    match &args.bootstrap_servers {
        Some(servers) => println!("log: Kafka at {servers}, topic {TOPIC}"),
        None => println!("log: embedded, in {}, topic {TOPIC}", log_dir.display()),
    }
    println!("state: {}", dir.display());
    println!("output: {}", output.display());
    println!("Ctrl-C or SIGTERM stops the service and commits its offsets.");

    // Run until a signal comes, or until a connector or task fails: this service has no use
    // for a pipeline that does not run.
    let outcome = tokio::select! {
        signal = signals.recv() => {
            println!("{signal}: stopping");
            Ok(())
        }
        failure = first_failure(&runtime) => Err(failure),
    };
    // Stops the tasks, writes the sink's file out, commits source and sink offsets.
    runtime.shutdown().await;

    let store = FileOffsetStore::open(&offsets).await?;
    for (partition, offset) in store.connector_offsets(SOURCE).await? {
        println!(
            "committed: {} {}",
            serde_json::Value::from(partition),
            serde_json::Value::from(offset)
        );
    }
    if let Err(failure) = outcome {
        bail!(failure);
    }
    Ok(())
}

/// Waits until a connector or one of its tasks is FAILED, and says which and why.
async fn first_failure(runtime: &Runtime) -> String {
    let mut every_second = tokio::time::interval(Duration::from_secs(1));
    loop {
        every_second.tick().await;
        for name in runtime.connectors().await {
            let Ok(status) = runtime.connector_status(&name).await else {
                continue;
            };
            if let Some(failure) = failure(&status) {
                return failure;
            }
        }
    }
}
