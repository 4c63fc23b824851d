using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Data;

/// <summary>
/// Passphrase encryption for backups that leave the portal: PBKDF2-SHA256 (600,000 iterations, 16-byte
/// salt) derives an AES-256-GCM key. Layout: "APBOX1" | salt(16) | nonce(12) | tag(16) | ciphertext.
/// </summary>
public static class PassphraseBox
{
    private static readonly byte[] Magic = "APBOX1"u8.ToArray();
    public const int Iterations = 600_000;
    public const int MinPassphraseLength = 12;

    public static byte[] Seal(byte[] plaintext, string passphrase)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var output = new byte[Magic.Length + 16 + 12 + 16 + plaintext.Length];
        Magic.CopyTo(output, 0);
        salt.CopyTo(output, Magic.Length);
        var nonce = output.AsSpan(Magic.Length + 16, 12);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(Key(passphrase, salt), 16);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(Magic.Length + 44), output.AsSpan(Magic.Length + 28, 16), Magic);
        return output;
    }

    /// <summary>The plaintext, or null when the passphrase is wrong or the file is not a box (or was altered).</summary>
    public static byte[]? Open(byte[] box, string passphrase)
    {
        if (box.Length < Magic.Length + 44 || !box.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return null;
        var plain = new byte[box.Length - Magic.Length - 44];
        try
        {
            using var gcm = new AesGcm(Key(passphrase, box.AsSpan(Magic.Length, 16).ToArray()), 16);
            gcm.Decrypt(box.AsSpan(Magic.Length + 16, 12), box.AsSpan(Magic.Length + 44), box.AsSpan(Magic.Length + 28, 16), plain, Magic);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] Key(string passphrase, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, Iterations, HashAlgorithmName.SHA256, 32);
}
