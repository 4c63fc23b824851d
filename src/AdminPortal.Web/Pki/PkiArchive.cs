using System.Formats.Tar;
using System.IO.Compression;
using AdminPortal.Web.Errors;

namespace AdminPortal.Web.Pki;

/// <summary>
/// Unpacks an uploaded archive of easy-rsa's <c>pki/</c> folder (.tar.gz or .zip, told apart by their first
/// bytes) into a private folder, refusing the whole archive at the first entry that could write outside it
/// (absolute path, <c>..</c>), that is not a plain file or folder (links, devices), or that breaks the limits.
/// Files are created, never overwritten, and no link is ever made, so nothing can be written through one.
/// </summary>
public static class PkiArchive
{
    public const long MaxUploadBytes = 50L * 1024 * 1024;
    public const long MaxExtractedBytes = 200L * 1024 * 1024;
    public const int MaxEntries = 20_000;
    private const int MaxDepth = 4;

    /// <summary>Unpacks <paramref name="archive"/> into the empty folder <paramref name="target"/>; returns the
    /// folder in it that holds ca.crt, private/ca.key and index.txt (the archive's top or a folder below it).</summary>
    public static async Task<Result<string>> ExtractAsync(string archive, string target, CancellationToken ct)
    {
        var root = Path.GetFullPath(target);
        var error = await UnpackAsync(archive, root, ct);
        if (error is not null) return error;
        return FindPki(root, 0) is { } pki ? pki
            : new InvalidInput("archive", "No easy-rsa PKI in the archive: expected a folder with ca.crt, private/ca.key and index.txt (easy-rsa's pki/ folder). Nothing was imported.");
    }

    private static async Task<PortalError?> UnpackAsync(string archive, string root, CancellationToken ct)
    {
        var magic = new byte[4];
        await using (var peek = File.OpenRead(archive)) await peek.ReadAtLeastAsync(magic, 4, throwOnEndOfStream: false, ct);
        try
        {
            var budget = new Budget();
            if (magic is [0x1f, 0x8b, ..]) return await UntarAsync(archive, root, budget, ct);
            if (magic is [0x50, 0x4b, 0x03, 0x04]) return await UnzipAsync(archive, root, budget, ct);
            return Refused("it is neither a .tar.gz nor a .zip archive");
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            return Refused("it is damaged or not a .tar.gz/.zip archive");
        }
        catch (IOException)
        {
            return Refused("an entry could not be written (a name used twice, or for both a file and a folder)");
        }
    }

    private static async Task<PortalError?> UntarAsync(string archive, string root, Budget budget, CancellationToken ct)
    {
        await using var file = File.OpenRead(archive);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
            var kind = entry.EntryType switch
            {
                TarEntryType.Directory => Kind.Folder,
                TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => Kind.File,
                TarEntryType.SymbolicLink or TarEntryType.HardLink => Kind.Link,
                _ => Kind.Other,
            };
            if (await WriteAsync(root, entry.Name, kind, entry.Length, entry.DataStream, budget, ct) is { } error) return error;
        }
        return null;
    }

    private static async Task<PortalError?> UnzipAsync(string archive, string root, Budget budget, CancellationToken ct)
    {
        using var zip = ZipFile.OpenRead(archive);
        foreach (var entry in zip.Entries)
        {
            // Unix zips keep the file type in the high bits of the external attributes (S_IFLNK = 0xA000).
            var type = (entry.ExternalAttributes >> 16) & 0xF000;
            var kind = type switch
            {
                0xA000 => Kind.Link,
                0 or 0x8000 or 0x4000 => entry.FullName.EndsWith('/') ? Kind.Folder : Kind.File,
                _ => Kind.Other,
            };
            await using var data = kind == Kind.File ? entry.Open() : null;
            if (await WriteAsync(root, entry.FullName, kind, entry.Length, data, budget, ct) is { } error) return error;
        }
        return null;
    }

    private static async Task<PortalError?> WriteAsync(string root, string name, Kind kind, long length, Stream? data, Budget budget, CancellationToken ct)
    {
        if (++budget.Entries > MaxEntries) return Refused($"it has more than {MaxEntries:N0} entries");
        if (kind == Kind.Link) return Refused($"'{Shown(name)}' is a link");
        if (kind == Kind.Other) return Refused($"'{Shown(name)}' is not a plain file or folder");
        if (name.Length == 0 || name.Contains('\0') || name.Contains('\\')) return Refused($"'{Shown(name)}' is not a usable file name");
        if (Path.IsPathRooted(name) || name.Split('/').Contains(".."))
            return Refused($"'{Shown(name)}' points outside the archive's folder");
        var path = Path.GetFullPath(Path.Combine(root, name));
        if (path != root && !path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return Refused($"'{Shown(name)}' points outside the archive's folder");
        if (kind == Kind.Folder)
        {
            Directory.CreateDirectory(path);
            return null;
        }
        if (length > MaxExtractedBytes - budget.Bytes) return Refused($"it unpacks to more than {MaxExtractedBytes / 1024 / 1024} MB");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16384, useAsync: true))
        {
            if (data is null) return null;
            // Counted as it is written: a header may understate what follows.
            var buffer = new byte[81920];
            int read;
            while ((read = await data.ReadAsync(buffer, ct)) > 0)
            {
                budget.Bytes += read;
                if (budget.Bytes > MaxExtractedBytes) return Refused($"it unpacks to more than {MaxExtractedBytes / 1024 / 1024} MB");
                await output.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        return null;
    }

    private static string? FindPki(string dir, int depth)
    {
        if (File.Exists(Path.Combine(dir, "ca.crt")) && File.Exists(Path.Combine(dir, "private", "ca.key")) && File.Exists(Path.Combine(dir, "index.txt")))
            return dir;
        if (depth >= MaxDepth) return null;
        return Directory.GetDirectories(dir).Order(StringComparer.Ordinal).Select(d => FindPki(d, depth + 1)).FirstOrDefault(p => p is not null);
    }

    private static string Shown(string name) => name.Length > 80 ? name[..80] + "…" : name;

    private static InvalidInput Refused(string why) => new("archive", $"The archive was refused: {why}. Nothing was imported.");

    private enum Kind { File, Folder, Link, Other }

    private sealed class Budget
    {
        public int Entries;
        public long Bytes;
    }
}
