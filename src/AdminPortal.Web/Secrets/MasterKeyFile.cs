using System.Security.Cryptography;
using AdminPortal.Data;

namespace AdminPortal.Web.Secrets;

/// <summary>The master key file: 32 random bytes, base64 on one line, mode 0600.</summary>
public static class MasterKeyFile
{
    /// <summary>Reads the key; creates it when <paramref name="createIfMissing"/> (returns true if it did).</summary>
    public static (byte[] Key, bool Created) Load(string path, bool createIfMissing)
    {
        if (!File.Exists(path))
        {
            if (!createIfMissing) throw new FileNotFoundException($"The master key file '{path}' does not exist.", path);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            // Losing the race to another instance is fine: its key, complete, is the one read below.
            if (SecretFiles.TryPublish(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n"))
                return (Read(path), true);
        }
        return (Read(path), false);
    }

    private static byte[] Read(string path)
    {
        var text = File.ReadAllText(path).Trim();
        byte[] key;
        try { key = Convert.FromBase64String(text); }
        catch (FormatException) { throw new InvalidDataException($"The master key file '{path}' is not base64."); }
        if (key.Length != 32) throw new InvalidDataException($"The master key file '{path}' must hold 32 bytes (base64), not {key.Length}.");
        return key;
    }
}
