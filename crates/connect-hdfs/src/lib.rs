//! The HDFS sink connector (being built).
