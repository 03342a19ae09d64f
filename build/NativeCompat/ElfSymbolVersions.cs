using System.Buffers.Binary;
using System.Text;

namespace PoFT.NativeCompat;

/// <summary>A version requirement (Elf64_Vernaux) of a shared library on one of its dependencies.</summary>
/// <param name="FlagsOffset">File offset of <c>vna_flags</c>, the field the compatibility step edits.</param>
public sealed record VersionNeed(string File, string Name, ushort Flags, ushort Index, long FlagsOffset)
{
    /// <summary>VER_FLG_WEAK: the loader only warns when the dependency lacks this version.</summary>
    public const ushort WeakFlag = 0x2;

    public bool IsWeak => (Flags & WeakFlag) != 0;
}

/// <summary>
/// The GNU symbol-versioning tables of an ELF64 little-endian file: the versions it needs from its
/// dependencies (.gnu.version_r), the versions it defines (.gnu.version_d) and which undefined dynamic
/// symbols are bound to which needed version (.gnu.version + .dynsym). Every offset and size is checked
/// against the file before it is followed.
/// </summary>
public sealed class ElfSymbolVersions
{
    private const uint ShtDynsym = 11;
    private const uint ShtNobits = 8;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const int SectionHeaderSize = 64;
    private const int DynsymEntrySize = 24;

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    private readonly string _path;
    private readonly byte[] _image;
    private readonly Section[] _sections;

    public IReadOnlyList<VersionNeed> Needs { get; }
    public IReadOnlySet<string> Definitions { get; }

    private ElfSymbolVersions(string path, byte[] image)
    {
        _path = path;
        _image = image;
        _sections = ReadSectionHeaders();
        Needs = ReadNeeds();
        Definitions = ReadDefinitions();
    }

    public static ElfSymbolVersions Read(string path) => Parse(path, File.ReadAllBytes(path));

    public static ElfSymbolVersions Parse(string path, byte[] image) => new(path, image);

    /// <summary>Names of the undefined dynamic symbols whose version index is <paramref name="versionIndex"/>.</summary>
    public IReadOnlyList<string> SymbolsBoundTo(ushort versionIndex)
    {
        var versym = _sections.SingleOrDefault(s => s.Type == ShtGnuVersym);
        var dynsymIndex = Array.FindIndex(_sections, s => s.Type == ShtDynsym);
        if (versym == default || dynsymIndex < 0)
            return [];
        var dynsym = _sections[dynsymIndex];
        var count = dynsym.Size / DynsymEntrySize;
        if (versym.Size < count * 2)
            throw Fail($".gnu.version has {versym.Size / 2} entries for {count} dynamic symbols");
        var names = new List<string>();
        for (long i = 0; i < count; i++)
        {
            var index = (ushort)(U16(versym.Offset + 2 * i) & 0x7fff);
            var entry = dynsym.Offset + i * DynsymEntrySize;
            var sectionOfDefinition = U16(entry + 6);
            if (index == versionIndex && sectionOfDefinition == 0)
                names.Add(String(dynsym.Link, U32(entry)));
        }
        return names;
    }

    private Section[] ReadSectionHeaders()
    {
        if (_image.Length < 64 || _image[0] != 0x7f || _image[1] != 'E' || _image[2] != 'L' || _image[3] != 'F')
            throw Fail("not an ELF file (bad magic)");
        if (_image[4] != 2 || _image[5] != 1)
            throw Fail($"expected ELF64 little-endian, found class {_image[4]} data {_image[5]}");
        var shoff = (long)U64(0x28);
        var shentsize = U16(0x3A);
        var shnum = U16(0x3C);
        if (shentsize != SectionHeaderSize)
            throw Fail($"section header size {shentsize}, expected {SectionHeaderSize}");
        CheckRange(shoff, (long)shnum * SectionHeaderSize, "section header table");
        var sections = new Section[shnum];
        for (var i = 0; i < shnum; i++)
        {
            var h = shoff + (long)i * SectionHeaderSize;
            var section = new Section(U32(h + 4), (long)U64(h + 24), (long)U64(h + 32), U32(h + 40), U32(h + 44));
            if (section.Type != ShtNobits)
                CheckRange(section.Offset, section.Size, $"section {i}");
            sections[i] = section;
        }
        return sections;
    }

    private List<VersionNeed> ReadNeeds()
    {
        var needs = new List<VersionNeed>();
        foreach (var section in _sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var entry = section.Offset;
            for (var n = 0; n < section.Info; n++)
            {
                CheckWithin(section, entry, 16, "Elf64_Verneed");
                if (U16(entry) != 1)
                    throw Fail($"unknown vn_version {U16(entry)} at 0x{entry:x}");
                var file = String(section.Link, U32(entry + 4));
                var aux = entry + U32(entry + 8);
                for (var a = 0; a < U16(entry + 2); a++)
                {
                    CheckWithin(section, aux, 16, "Elf64_Vernaux");
                    needs.Add(new VersionNeed(file, String(section.Link, U32(aux + 8)), U16(aux + 4), U16(aux + 6), aux + 4));
                    aux += U32(aux + 12);
                }
                entry += U32(entry + 12);
            }
        }
        return needs;
    }

    private HashSet<string> ReadDefinitions()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in _sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var entry = section.Offset;
            for (var n = 0; n < section.Info; n++)
            {
                CheckWithin(section, entry, 20, "Elf64_Verdef");
                var aux = entry + U32(entry + 12);
                CheckWithin(section, aux, 8, "Elf64_Verdaux");
                names.Add(String(section.Link, U32(aux)));
                entry += U32(entry + 16);
            }
        }
        return names;
    }

    private string String(uint stringSection, uint offset)
    {
        if (stringSection >= _sections.Length)
            throw Fail($"string table index {stringSection} out of range");
        var table = _sections[stringSection];
        if (offset >= table.Size)
            throw Fail($"string offset {offset} beyond string table of {table.Size} bytes");
        var span = _image.AsSpan((int)(table.Offset + offset), (int)(table.Size - offset));
        var end = span.IndexOf((byte)0);
        if (end < 0)
            throw Fail($"unterminated string at offset {offset}");
        return Encoding.ASCII.GetString(span[..end]);
    }

    private void CheckWithin(Section section, long offset, long size, string what)
    {
        if (offset < section.Offset || offset + size > section.Offset + section.Size)
            throw Fail($"{what} at 0x{offset:x} lies outside its section");
    }

    private void CheckRange(long offset, long size, string what)
    {
        if (offset < 0 || size < 0 || offset + size > _image.Length)
            throw Fail($"{what} (offset {offset}, size {size}) lies beyond the file's {_image.Length} bytes");
    }

    private ushort U16(long at) { CheckRange(at, 2, "field"); return BinaryPrimitives.ReadUInt16LittleEndian(_image.AsSpan((int)at)); }
    private uint U32(long at) { CheckRange(at, 4, "field"); return BinaryPrimitives.ReadUInt32LittleEndian(_image.AsSpan((int)at)); }
    private ulong U64(long at) { CheckRange(at, 8, "field"); return BinaryPrimitives.ReadUInt64LittleEndian(_image.AsSpan((int)at)); }

    private ElfFormatException Fail(string reason) => new(_path, reason);
}
