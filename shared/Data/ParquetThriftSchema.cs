namespace PoFT.Shared.Data;

/// <summary>A Thrift compact-protocol type as it appears on the wire (thrift/doc/specs/thrift-compact-protocol.md).</summary>
internal enum ThriftWire : byte
{
    True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8, List = 9, Set = 10, Map = 11, Struct = 12,
}

/// <summary>A field of a Thrift struct: its wire type, and the struct it holds or the type of its list's elements.</summary>
internal sealed record ThriftField(string Name, ThriftWire Type, ThriftStruct? Struct = null, ThriftWire Element = 0)
{
    public static ThriftField Bool(string name) => new(name, ThriftWire.True);
    public static ThriftField I32(string name) => new(name, ThriftWire.I32);
    public static ThriftField I64(string name) => new(name, ThriftWire.I64);
    public static ThriftField Binary(string name) => new(name, ThriftWire.Binary);
    public static ThriftField Of(string name, ThriftStruct type) => new(name, ThriftWire.Struct, type);
    public static ThriftField ListOf(string name, ThriftWire element, ThriftStruct? type = null) => new(name, ThriftWire.List, type, element);
}

/// <summary>A Thrift struct (or union) by field id.</summary>
internal sealed class ThriftStruct(string name, params (short Id, ThriftField Field)[] fields)
{
    public string Name { get; } = name;
    public IReadOnlyDictionary<short, ThriftField> Fields { get; } = fields.ToDictionary(f => f.Id, f => f.Field);
}

/// <summary>
/// The parquet-format structs that Parquet.Net 6.1.0 reads from a file — the footer's FileMetaData and each page's
/// PageHeader — with every field it reads (parquet-format's parquet.thrift; enums are i32, strings binary). Its
/// generated readers (Parquet/Meta/Parquet.cs) take a known field as declared here whatever its wire type says, so
/// a field of another wire type is misread: an i32 varint read as a string's length asked it for a 1.7 GB string.
/// </summary>
internal static class ParquetThriftSchema
{
    private static readonly ThriftStruct Empty = new("(empty struct)");

    private static readonly ThriftStruct Statistics = new("Statistics",
        (1, ThriftField.Binary("max")), (2, ThriftField.Binary("min")), (3, ThriftField.I64("null_count")),
        (4, ThriftField.I64("distinct_count")), (5, ThriftField.Binary("max_value")), (6, ThriftField.Binary("min_value")),
        (7, ThriftField.Bool("is_max_value_exact")), (8, ThriftField.Bool("is_min_value_exact")));

    private static readonly ThriftStruct KeyValue = new("KeyValue", (1, ThriftField.Binary("key")), (2, ThriftField.Binary("value")));

    private static readonly ThriftStruct TimeUnit = new("TimeUnit",
        (1, ThriftField.Of("MILLIS", Empty)), (2, ThriftField.Of("MICROS", Empty)), (3, ThriftField.Of("NANOS", Empty)));

    private static readonly ThriftStruct LogicalType = new("LogicalType",
        (1, ThriftField.Of("STRING", Empty)), (2, ThriftField.Of("MAP", Empty)), (3, ThriftField.Of("LIST", Empty)),
        (4, ThriftField.Of("ENUM", Empty)),
        (5, ThriftField.Of("DECIMAL", new("DecimalType", (1, ThriftField.I32("scale")), (2, ThriftField.I32("precision"))))),
        (6, ThriftField.Of("DATE", Empty)),
        (7, ThriftField.Of("TIME", new("TimeType", (1, ThriftField.Bool("isAdjustedToUTC")), (2, ThriftField.Of("unit", TimeUnit))))),
        (8, ThriftField.Of("TIMESTAMP", new("TimestampType", (1, ThriftField.Bool("isAdjustedToUTC")), (2, ThriftField.Of("unit", TimeUnit))))),
        (10, ThriftField.Of("INTEGER", new("IntType", (1, new ThriftField("bitWidth", ThriftWire.Byte)), (2, ThriftField.Bool("isSigned"))))),
        (11, ThriftField.Of("UNKNOWN", Empty)), (12, ThriftField.Of("JSON", Empty)), (13, ThriftField.Of("BSON", Empty)),
        (14, ThriftField.Of("UUID", Empty)), (15, ThriftField.Of("FLOAT16", Empty)),
        (16, ThriftField.Of("VARIANT", new("VariantType", (1, new ThriftField("specification_version", ThriftWire.Byte))))),
        (17, ThriftField.Of("GEOMETRY", new("GeometryType", (1, ThriftField.Binary("crs"))))),
        (18, ThriftField.Of("GEOGRAPHY", new("GeographyType", (1, ThriftField.Binary("crs")), (2, ThriftField.I32("algorithm"))))));

    private static readonly ThriftStruct SchemaElement = new("SchemaElement",
        (1, ThriftField.I32("type")), (2, ThriftField.I32("type_length")), (3, ThriftField.I32("repetition_type")),
        (4, ThriftField.Binary("name")), (5, ThriftField.I32("num_children")), (6, ThriftField.I32("converted_type")),
        (7, ThriftField.I32("scale")), (8, ThriftField.I32("precision")), (9, ThriftField.I32("field_id")),
        (10, ThriftField.Of("logicalType", LogicalType)));

    private static readonly ThriftStruct BoundingBox = new("BoundingBox",
        [.. Enumerable.Range(1, 8).Select(i => ((short)i, new ThriftField($"field {i}", ThriftWire.Double)))]);

    private static readonly ThriftStruct ColumnMetaData = new("ColumnMetaData",
        (1, ThriftField.I32("type")), (2, ThriftField.ListOf("encodings", ThriftWire.I32)),
        (3, ThriftField.ListOf("path_in_schema", ThriftWire.Binary)), (4, ThriftField.I32("codec")),
        (5, ThriftField.I64("num_values")), (6, ThriftField.I64("total_uncompressed_size")),
        (7, ThriftField.I64("total_compressed_size")), (8, ThriftField.ListOf("key_value_metadata", ThriftWire.Struct, KeyValue)),
        (9, ThriftField.I64("data_page_offset")), (10, ThriftField.I64("index_page_offset")),
        (11, ThriftField.I64("dictionary_page_offset")), (12, ThriftField.Of("statistics", Statistics)),
        (13, ThriftField.ListOf("encoding_stats", ThriftWire.Struct, new("PageEncodingStats",
            (1, ThriftField.I32("page_type")), (2, ThriftField.I32("encoding")), (3, ThriftField.I32("count"))))),
        (14, ThriftField.I64("bloom_filter_offset")), (15, ThriftField.I32("bloom_filter_length")),
        (16, ThriftField.Of("size_statistics", new("SizeStatistics", (1, ThriftField.I64("unencoded_byte_array_data_bytes")),
            (2, ThriftField.ListOf("repetition_level_histogram", ThriftWire.I64)),
            (3, ThriftField.ListOf("definition_level_histogram", ThriftWire.I64))))),
        (17, ThriftField.Of("geospatial_statistics", new("GeospatialStatistics", (1, ThriftField.Of("bbox", BoundingBox)),
            (2, ThriftField.ListOf("geospatial_types", ThriftWire.I32))))));

    private static readonly ThriftStruct ColumnChunk = new("ColumnChunk",
        (1, ThriftField.Binary("file_path")), (2, ThriftField.I64("file_offset")), (3, ThriftField.Of("meta_data", ColumnMetaData)),
        (4, ThriftField.I64("offset_index_offset")), (5, ThriftField.I32("offset_index_length")),
        (6, ThriftField.I64("column_index_offset")), (7, ThriftField.I32("column_index_length")),
        (8, ThriftField.Of("crypto_metadata", new("ColumnCryptoMetaData", (1, ThriftField.Of("ENCRYPTION_WITH_FOOTER_KEY", Empty)),
            (2, ThriftField.Of("ENCRYPTION_WITH_COLUMN_KEY", new("EncryptionWithColumnKey",
                (1, ThriftField.ListOf("path_in_schema", ThriftWire.Binary)), (2, ThriftField.Binary("key_metadata")))))))),
        (9, ThriftField.Binary("encrypted_column_metadata")));

    private static readonly ThriftStruct RowGroup = new("RowGroup",
        (1, ThriftField.ListOf("columns", ThriftWire.Struct, ColumnChunk)), (2, ThriftField.I64("total_byte_size")),
        (3, ThriftField.I64("num_rows")),
        (4, ThriftField.ListOf("sorting_columns", ThriftWire.Struct, new("SortingColumn",
            (1, ThriftField.I32("column_idx")), (2, ThriftField.Bool("descending")), (3, ThriftField.Bool("nulls_first"))))),
        (5, ThriftField.I64("file_offset")), (6, ThriftField.I64("total_compressed_size")), (7, new ThriftField("ordinal", ThriftWire.I16)));

    private static readonly ThriftStruct Aes = new("AesGcm",
        (1, ThriftField.Binary("aad_prefix")), (2, ThriftField.Binary("aad_file_unique")), (3, ThriftField.Bool("supply_aad_prefix")));

    public static readonly ThriftStruct FileMetaData = new("FileMetaData",
        (1, ThriftField.I32("version")), (2, ThriftField.ListOf("schema", ThriftWire.Struct, SchemaElement)),
        (3, ThriftField.I64("num_rows")), (4, ThriftField.ListOf("row_groups", ThriftWire.Struct, RowGroup)),
        (5, ThriftField.ListOf("key_value_metadata", ThriftWire.Struct, KeyValue)), (6, ThriftField.Binary("created_by")),
        (7, ThriftField.ListOf("column_orders", ThriftWire.Struct, new("ColumnOrder", (1, ThriftField.Of("TYPE_ORDER", Empty))))),
        (8, ThriftField.Of("encryption_algorithm", new("EncryptionAlgorithm", (1, ThriftField.Of("AES_GCM_V1", Aes)),
            (2, ThriftField.Of("AES_GCM_CTR_V1", Aes))))),
        (9, ThriftField.Binary("footer_signing_key_metadata")));

    // PageHeader field ids, read back by ParquetPages.
    public const short PageType = 1, UncompressedPageSize = 2, CompressedPageSize = 3, DataPage = 5, DictionaryPage = 7, DataPageV2 = 8;
    public const short NumValues = 1; // of DataPageHeader, DictionaryPageHeader and DataPageHeaderV2 alike
    public const short DefinitionLevelsByteLength = 5, RepetitionLevelsByteLength = 6, IsCompressed = 7; // of DataPageHeaderV2

    public static readonly ThriftStruct PageHeader = new("PageHeader",
        (PageType, ThriftField.I32("type")), (UncompressedPageSize, ThriftField.I32("uncompressed_page_size")),
        (CompressedPageSize, ThriftField.I32("compressed_page_size")), (4, ThriftField.I32("crc")),
        (DataPage, ThriftField.Of("data_page_header", new("DataPageHeader", (NumValues, ThriftField.I32("num_values")),
            (2, ThriftField.I32("encoding")), (3, ThriftField.I32("definition_level_encoding")),
            (4, ThriftField.I32("repetition_level_encoding")), (5, ThriftField.Of("statistics", Statistics))))),
        (6, ThriftField.Of("index_page_header", Empty)),
        (DictionaryPage, ThriftField.Of("dictionary_page_header", new("DictionaryPageHeader", (NumValues, ThriftField.I32("num_values")),
            (2, ThriftField.I32("encoding")), (3, ThriftField.Bool("is_sorted"))))),
        (DataPageV2, ThriftField.Of("data_page_header_v2", new("DataPageHeaderV2", (NumValues, ThriftField.I32("num_values")),
            (2, ThriftField.I32("num_nulls")), (3, ThriftField.I32("num_rows")), (4, ThriftField.I32("encoding")),
            (DefinitionLevelsByteLength, ThriftField.I32("definition_levels_byte_length")),
            (RepetitionLevelsByteLength, ThriftField.I32("repetition_levels_byte_length")), (IsCompressed, ThriftField.Bool("is_compressed")), (8, ThriftField.Of("statistics", Statistics))))));
}
