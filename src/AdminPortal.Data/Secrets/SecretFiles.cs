using System.Runtime.InteropServices;
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

    /// <summary>
    /// Creates <paramref name="path"/> with this content all at once, or leaves it alone when it exists: the
    /// content goes to a private temporary file first, then is linked into place without overwriting. Another
    /// instance racing on a shared volume therefore never sees a half-written file. False when it lost the race.
    /// </summary>
    public static bool TryPublish(string path, string content)
    {
        var tmp = $"{path}.{Guid.NewGuid():N}.tmp";
        WriteNew(tmp, Encoding.UTF8.GetBytes(content));
        try
        {
            if (OperatingSystem.IsWindows())
            {
                File.Move(tmp, path, overwrite: false);
                return true;
            }
            // link(2) fails with EEXIST rather than replace: File.Move checks and then renames, which lets two
            // racing instances each "win" with a different key.
            if (link(tmp, path) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EEXIST) return false;
            throw new IOException($"Cannot create '{path}' (errno {errno}).");
        }
        finally
        {
            File.Delete(tmp); // the published file is the other link
        }
    }

    private const int EEXIST = 17;

    [DllImport("libc", SetLastError = true)]
    private static extern int link(string oldPath, string newPath);
}
