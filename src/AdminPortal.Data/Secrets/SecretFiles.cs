using System.Text;

namespace AdminPortal.Data;

/// <summary>Writes files only their owner may read (mode 0600), created that way rather than chmod-ed after.</summary>
public static class SecretFiles
{
    public static void WriteNew(string path, string content) => WriteNew(path, Encoding.UTF8.GetBytes(content));

    public static void WriteNew(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var fs = new FileStream(path, options);
        fs.Write(content);
    }
}
