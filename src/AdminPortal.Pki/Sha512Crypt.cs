using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Pki;

/// <summary>
/// SHA512-CRYPT, glibc's <c>$6$</c> crypt(3) (Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"): what Dovecot
/// verifies for <c>{SHA512-CRYPT}</c>. The portal hashes here so that no password travels to a host in clear.
/// </summary>
public static class Sha512Crypt
{
    public const int DefaultRounds = 5000;
    private const string Itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A new hash with a random 16-character salt and the default 5,000 rounds.</summary>
    public static string Hash(string password) => Hash(password, RandomNumberGenerator.GetString(Itoa64, 16));

    /// <summary>The hash for this salt (at most 16 characters are used) and rounds (1,000 to 999,999,999, as glibc clamps).</summary>
    public static string Hash(string password, string salt, int? rounds = null)
    {
        var pw = Encoding.UTF8.GetBytes(password);
        var saltText = salt.Length > 16 ? salt[..16] : salt;
        var s = Encoding.UTF8.GetBytes(saltText);
        var r = rounds is null ? DefaultRounds : Math.Clamp(rounds.Value, 1000, 999_999_999);

        var b = Digest(pw, s, pw);
        using var a = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        a.AppendData(pw);
        a.AppendData(s);
        for (var n = pw.Length; n > 0; n -= 64) a.AppendData(b, 0, Math.Min(n, 64));
        for (var n = pw.Length; n > 0; n >>= 1) a.AppendData((n & 1) != 0 ? b : pw);
        var c = a.GetHashAndReset();

        var p = Stretch(pw, pw.Length, pw.Length);
        var sBytes = Stretch(s, 16 + c[0], s.Length);
        for (var i = 0; i < r; i++)
        {
            a.AppendData((i & 1) != 0 ? p : c);
            if (i % 3 != 0) a.AppendData(sBytes);
            if (i % 7 != 0) a.AppendData(p);
            a.AppendData((i & 1) != 0 ? c : p);
            c = a.GetHashAndReset();
        }

        var sb = new StringBuilder("$6$");
        if (rounds is not null) sb.Append("rounds=").Append(r).Append('$');
        sb.Append(saltText).Append('$');
        for (var k = 0; k < 21; k++)
        {
            int x = k, y = k + 21, z = k + 42;
            var (b2, b1, b0) = (k % 3) switch { 0 => (x, y, z), 1 => (y, z, x), _ => (z, x, y) };
            Encode(sb, c[b2], c[b1], c[b0], 4);
        }
        Encode(sb, 0, 0, c[63], 2);
        return sb.ToString();
    }

    /// <summary>Whether <paramref name="password"/> matches a <c>$6$</c> hash (salt and rounds read from it).</summary>
    public static bool Verify(string password, string hash)
    {
        var parts = hash.Split('$');
        if (parts.Length < 4 || parts[1] != "6") return false;
        int? rounds = parts[2].StartsWith("rounds=", StringComparison.Ordinal) && int.TryParse(parts[2][7..], out var n) ? n : null;
        var salt = rounds is null ? parts[2] : parts[3];
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(password, salt, rounds)), Encoding.ASCII.GetBytes(hash));
    }

    private static byte[] Digest(params byte[][] parts)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        foreach (var part in parts) h.AppendData(part);
        return h.GetHashAndReset();
    }

    /// <summary>SHA-512 of <paramref name="input"/> repeated <paramref name="times"/> times, repeated to <paramref name="length"/> bytes.</summary>
    private static byte[] Stretch(byte[] input, int times, int length)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        for (var i = 0; i < times; i++) h.AppendData(input);
        var d = h.GetHashAndReset();
        var result = new byte[length];
        for (var i = 0; i < length; i++) result[i] = d[i % 64];
        return result;
    }

    private static void Encode(StringBuilder sb, byte b2, byte b1, byte b0, int n)
    {
        var w = (b2 << 16) | (b1 << 8) | b0;
        for (var i = 0; i < n; i++, w >>= 6) sb.Append(Itoa64[w & 0x3f]);
    }
}
