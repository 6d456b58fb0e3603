using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LatticeFlow.Files;

/// <summary>
/// The one binary file format of LatticeFlow (checkpoints, model files), little-endian:
/// <code>
///   magic    8 bytes, ASCII, names the kind ("LFCKPT01" a checkpoint, "LFFLOW01" a model file)
///   int32    h, the header's length in bytes
///   header   h bytes of UTF-8 JSON: the header record <typeparamref name="THeader"/>, serialised whole
///   payload  what the kind writes through <see cref="ContainerWriter"/> (counts and float32/float64 arrays)
///   sha256   32 bytes: SHA-256 of everything before it
/// </code>
/// This is the byte layout checkpoints and model files had before they shared this code, so every file written
/// since their first format reads here. A file is written whole through <see cref="AtomicFile"/>; a reader checks the
/// magic, then the checksum, then the header, then the payload, and reports any defect as an
/// <see cref="InvalidInputException"/> of one line that names the path and the kind.
/// </summary>
/// <typeparam name="THeader">The header record; its JSON options belong to the kind (<see cref="BinaryContainer{THeader}(string, string, JsonSerializerOptions)"/>).</typeparam>
public sealed class BinaryContainer<THeader> where THeader : class
{
    private const int HashBytes = 32;
    private readonly byte[] _magic;
    private readonly string _kind;
    private readonly JsonSerializerOptions _json;

    /// <param name="magic">Eight ASCII characters that name the kind.</param>
    /// <param name="kind">What the file is, for messages ("checkpoint", "model file").</param>
    /// <param name="json">The options the header is written and read with. They are part of the format: a kind keeps
    /// the options its existing files were written with.</param>
    public BinaryContainer(string magic, string kind, JsonSerializerOptions json)
    {
        _magic = Encoding.ASCII.GetBytes(magic);
        if (_magic.Length != 8) throw new ArgumentException($"magic '{magic}' is not 8 ASCII bytes", nameof(magic));
        _kind = kind;
        _json = json;
    }

    /// <summary>Bytes of a container with an empty header and payload: no file shorter than this is whole.</summary>
    private int MinimumLength => _magic.Length + sizeof(int) + HashBytes;

    /// <summary>Writes <paramref name="header"/> and the payload that <paramref name="payload"/> writes to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="IOException">As <see cref="AtomicFile.WriteAllBytes"/>; the previous file is then intact.</exception>
    public void Write(string path, THeader header, Action<ContainerWriter> payload)
    {
        var body = new ContainerWriter();
        body.Bytes(_magic);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, _json);
        body.Int32(json.Length);
        body.Bytes(json);
        payload(body);
        body.Bytes(SHA256.HashData(body.Written));
        AtomicFile.WriteAllBytes(path, body.Written);
    }

    /// <summary>
    /// Reads and verifies a file written by <see cref="Write"/>: magic, checksum, header; then <paramref name="payload"/>
    /// reads the payload from the header, and must read all of it.
    /// </summary>
    /// <exception cref="InvalidInputException">The file is missing, not of this kind, corrupt or truncated, or has a header
    /// that is not this record; or <paramref name="payload"/> refused it.</exception>
    public T Read<T>(string path, Func<THeader, ContainerReader, T> payload)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: {_kind} not found");
        byte[] bytes = File.ReadAllBytes(path);
        string broken = $"{path}: {_kind} corrupt or truncated";
        // A file cut inside its magic is ours, cut short; any other start is someone else's file.
        int present = Math.Min(bytes.Length, _magic.Length);
        if (!bytes.AsSpan(0, present).SequenceEqual(_magic.AsSpan(0, present)))
            throw new InvalidInputException($"{path}: not a LatticeFlow {_kind} (bad magic; expected \"{Encoding.ASCII.GetString(_magic)}\")");
        if (bytes.Length < MinimumLength) throw new InvalidInputException($"{broken} ({bytes.Length} bytes)");
        int bodyLength = bytes.Length - HashBytes;
        if (!SHA256.HashData(bytes.AsSpan(0, bodyLength)).AsSpan().SequenceEqual(bytes.AsSpan(bodyLength)))
            throw new InvalidInputException($"{broken} (checksum mismatch)");
        var reader = new ContainerReader(new ArraySegment<byte>(bytes, _magic.Length, bodyLength - _magic.Length), broken,
            Convert.ToHexStringLower(bytes.AsSpan(bodyLength)));
        int headerLength = reader.Int32();
        if (headerLength <= 0) throw new InvalidInputException($"{broken} (header length {headerLength})");
        THeader header;
        try
        {
            header = JsonSerializer.Deserialize<THeader>(reader.Bytes(headerLength), _json)
                ?? throw new InvalidInputException($"{path}: empty {_kind} header");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: {_kind} header is not valid JSON ({e.Message})");
        }
        var value = payload(header, reader);
        if (reader.Remaining != 0) throw new InvalidInputException($"{path}: {_kind} has {reader.Remaining} unexpected trailing bytes");
        return value;
    }
}

/// <summary>The payload of a <see cref="BinaryContainer{THeader}"/> being written: little-endian values, no padding.</summary>
public sealed class ContainerWriter
{
    private readonly MemoryStream _bytes = new();

    internal ReadOnlySpan<byte> Written => _bytes.GetBuffer().AsSpan(0, (int)_bytes.Length);

    internal void Bytes(ReadOnlySpan<byte> bytes) => _bytes.Write(bytes);

    public void Int32(int value)
    {
        Span<byte> b = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        _bytes.Write(b);
    }

    /// <summary>The values as float32, without a count (write one with <see cref="Int32"/> where the reader needs it).</summary>
    public void Floats(ReadOnlySpan<float> values)
    {
        var b = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * sizeof(float)), values[i]);
        _bytes.Write(b);
    }

    /// <summary>The values as float64, without a count.</summary>
    public void Doubles(ReadOnlySpan<double> values)
    {
        var b = new byte[values.Length * sizeof(double)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * sizeof(double)), values[i]);
        _bytes.Write(b);
    }
}

/// <summary>
/// The payload of a verified <see cref="BinaryContainer{THeader}"/>, read in the order it was written. Reading past its
/// end (a count that the header or an earlier field got wrong) is an <see cref="InvalidInputException"/>, as is a
/// negative count.
/// </summary>
public sealed class ContainerReader
{
    private readonly string _broken;
    private ArraySegment<byte> _rest;

    internal ContainerReader(ArraySegment<byte> body, string broken, string sha256)
    {
        _rest = body;
        _broken = broken;
        Sha256 = sha256;
    }

    /// <summary>The file's SHA-256 (as stored at its end), lower-case hex: the file's identity.</summary>
    public string Sha256 { get; }

    /// <summary>Bytes not read yet.</summary>
    public int Remaining => _rest.Count;

    internal ReadOnlySpan<byte> Bytes(long count)
    {
        if (count < 0) throw new InvalidInputException($"{_broken} (negative count)");
        if (count > Remaining) throw new InvalidInputException($"{_broken} (ends {count - Remaining} bytes early)");
        var span = _rest.AsSpan(0, (int)count);
        _rest = _rest[(int)count..];
        return span;
    }

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(sizeof(int)));

    /// <summary><paramref name="count"/> float32 values.</summary>
    public float[] Floats(int count)
    {
        var b = Bytes((long)count * sizeof(float));
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(b[(i * sizeof(float))..]);
        return values;
    }

    /// <summary><paramref name="count"/> float64 values.</summary>
    public double[] Doubles(int count)
    {
        var b = Bytes((long)count * sizeof(double));
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(b[(i * sizeof(double))..]);
        return values;
    }
}
