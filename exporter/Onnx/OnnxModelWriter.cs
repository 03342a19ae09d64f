using System.Globalization;
using Google.Protobuf;
using PoFT.Exporter.Onnx.Proto;
using PoFT.Shared;

namespace PoFT.Exporter.Onnx;

/// <summary>
/// Writes an <see cref="OnnxGraph"/> as a model file, with its initializers either inline or, when they
/// are too large for one protobuf message (2 GiB hard limit), in an external data file beside it.
/// </summary>
public static class OnnxModelWriter
{
    // Page-aligned offsets let ONNX Runtime memory-map external tensors.
    private const long ExternalAlignment = 4096;
    // Scalars and shape vectors stay inline: a separate read for each would be pure overhead.
    private const long SmallTensorBytes = 1024;

    /// <summary>Writes <paramref name="modelPath"/> and, when <paramref name="externalDataFile"/> is given,
    /// that file in the same directory. Each file is replaced atomically, the data file first so a model
    /// file never points at data that is not yet complete.</summary>
    public static void Write(OnnxGraph graph, string modelPath, IReadOnlyDictionary<string, long> opsets, string? externalDataFile,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        // Inline tensors are one protobuf message (2 GiB at most): refuse before anything is written.
        if (externalDataFile is null && graph.Initializers.FirstOrDefault(i => i.ByteLength > Array.MaxLength) is { } tooLarge)
            throw new NotSupportedException($"initializer '{tooLarge.Name}' ({string.Join(" × ", tooLarge.Dims)}, {tooLarge.ByteLength} bytes) " +
                "does not fit inline in model.onnx: it needs the external data file");
        var graphProto = graph.Proto.Clone();
        if (externalDataFile is null)
            graphProto.Initializer.AddRange(graph.Initializers.Select(Inline));
        else
        {
            var dataPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, externalDataFile);
            AtomicFile.Write(dataPath, stream => graphProto.Initializer.AddRange(WriteExternal(graph.Initializers, stream, externalDataFile)));
        }

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "PoFT.Exporter",
            ProducerVersion = typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graphProto,
        };
        foreach (var (domain, version) in opsets)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            model.MetadataProps.Add(Entry(key, value));
        AtomicFile.Write(modelPath, model.WriteTo);
    }

    /// <summary>The model as it will be written, but with each initializer's name, type and shape only: enough to
    /// check the graph (<see cref="Contract.ProviderContract"/>) before a byte of it is written.</summary>
    public static ModelProto Outline(OnnxGraph graph, IReadOnlyDictionary<string, string> metadata)
    {
        var graphProto = graph.Proto.Clone();
        graphProto.Initializer.AddRange(graph.Initializers.Select(Header));
        var model = new ModelProto { Graph = graphProto };
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(Entry(key, value));
        return model;
    }

    private static TensorProto Header(OnnxInitializer initializer)
    {
        var tensor = new TensorProto { Name = initializer.Name, DataType = (int)initializer.DataType };
        tensor.Dims.AddRange(initializer.Dims);
        return tensor;
    }

    private static TensorProto Inline(OnnxInitializer initializer)
    {
        var tensor = Header(initializer);
        using var bytes = new MemoryStream((int)initializer.ByteLength);
        initializer.WriteBytes(bytes);
        tensor.RawData = UnsafeByteOperations.UnsafeWrap(bytes.GetBuffer().AsMemory(0, (int)bytes.Length));
        return tensor;
    }

    private static List<TensorProto> WriteExternal(IReadOnlyList<OnnxInitializer> initializers, Stream data, string location)
    {
        var tensors = new List<TensorProto>(initializers.Count);
        foreach (var initializer in initializers)
        {
            if (initializer.ByteLength < SmallTensorBytes)
            {
                tensors.Add(Inline(initializer));
                continue;
            }
            var padding = (ExternalAlignment - data.Position % ExternalAlignment) % ExternalAlignment;
            data.Write(new byte[padding]);
            var offset = data.Position;
            initializer.WriteBytes(data);
            if (data.Position - offset != initializer.ByteLength)
                throw new InvalidOperationException($"initializer '{initializer.Name}' wrote {data.Position - offset} bytes; its shape and type need {initializer.ByteLength}");
            var tensor = Header(initializer);
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Add(Entry("location", location));
            tensor.ExternalData.Add(Entry("offset", offset.ToString(CultureInfo.InvariantCulture)));
            tensor.ExternalData.Add(Entry("length", (data.Position - offset).ToString(CultureInfo.InvariantCulture)));
            tensors.Add(tensor);
        }
        return tensors;
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}
