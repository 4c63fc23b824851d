using System.IO.Compression;
using System.Text;

namespace AdminPortal.Tests.Bundles;

public static class Zips
{
    /// <summary>Every entry of a zip as UTF-8 text, by its full name.</summary>
    public static Dictionary<string, string> Text(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip));
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var r = new StreamReader(e.Open(), Encoding.UTF8);
            return r.ReadToEnd();
        });
    }
}
