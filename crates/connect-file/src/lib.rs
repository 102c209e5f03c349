//! FileStreamSource and FileStreamSink connectors (being built).
