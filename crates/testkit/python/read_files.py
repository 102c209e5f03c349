"""Reads data files with independent readers and prints them as JSON.

Usage: python3 -c "$SCRIPT" parquet|avro PATH...
Prints one JSON object per file: {"path", "schema", "rows", "metadata"}.
Exit status 4 when pyarrow or fastavro cannot be imported.
"""
import base64
import datetime
import decimal
import json
import sys


def plain(value):
    """Makes reader values JSON-friendly, keeping their meaning visible."""
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    if isinstance(value, decimal.Decimal):
        return {"decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"timestamp": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"time": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def read_parquet(path):
    import pyarrow.parquet as pq
    table = pq.read_table(path)
    metadata = pq.read_metadata(path)
    kv = {k.decode(): v.decode() for k, v in (metadata.metadata or {}).items() if k != b"ARROW:schema"}
    rows = [plain(row) for row in table.to_pylist()]
    return {
        "schema": [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in table.schema],
        "rows": rows,
        "metadata": {"row_groups": metadata.num_row_groups, "codec": metadata.row_group(0).column(0).compression if metadata.num_row_groups else None, "key_value": kv},
    }


def read_avro(path):
    import fastavro
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        rows = [plain(r) for r in reader]
        return {"schema": reader.writer_schema, "rows": rows, "metadata": {"codec": reader.codec}}


def avro_records(schema_json, records_json):
    """Encodes JSON records as Avro binary bodies (fastavro's schemaless writer); prints base64.

    Top-level decimal fields take their value as a string, timestamp-millis as epoch millis.
    """
    import io
    import fastavro
    schema = fastavro.parse_schema(json.loads(schema_json))
    fields = {f["name"]: f["type"] for f in json.loads(schema_json).get("fields", [])}
    for record in json.loads(records_json):
        for name, ftype in fields.items():
            logical = ftype.get("logicalType") if isinstance(ftype, dict) else None
            if logical == "decimal" and isinstance(record.get(name), str):
                record[name] = decimal.Decimal(record[name])
        out = io.BytesIO()
        fastavro.schemaless_writer(out, schema, record)
        print(base64.b64encode(out.getvalue()).decode())


def avro_datums(schema_json, payloads):
    """Decodes Avro binary bodies (base64) with fastavro's schemaless reader; prints JSON."""
    import io
    import fastavro
    schema = fastavro.parse_schema(json.loads(schema_json))
    for payload in payloads:
        value = fastavro.schemaless_reader(io.BytesIO(base64.b64decode(payload)), schema)
        print(json.dumps(plain(value), sort_keys=True))


def main():
    kind, paths = sys.argv[1], sys.argv[2:]
    if kind in ("encode-avro", "decode-avro"):
        try:
            import fastavro  # noqa: F401
        except ImportError as error:
            print(error, file=sys.stderr)
            sys.exit(4)
        if kind == "encode-avro":
            avro_records(paths[0], sys.stdin.read())
        else:
            avro_datums(paths[0], sys.stdin.read().split())
        return
    try:
        reader = {"parquet": read_parquet, "avro": read_avro}[kind]
        if kind == "parquet":
            import pyarrow  # noqa: F401
        else:
            import fastavro  # noqa: F401
    except ImportError as error:
        print(error, file=sys.stderr)
        sys.exit(4)
    for path in paths:
        result = reader(path)
        result["path"] = path
        print(json.dumps(result, sort_keys=True))


main()
