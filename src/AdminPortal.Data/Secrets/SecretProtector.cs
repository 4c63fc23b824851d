using System.Security.Cryptography;
using System.Text;

namespace AdminPortal.Data;

/// <summary>
/// Authenticated encryption (AES-256-GCM) of every secret the portal stores, under the master key.
/// Layout: version(1) | key id(8) | nonce(12) | tag(16) | ciphertext. The purpose (e.g. "totp:USERID")
/// is bound as associated data, so a ciphertext cannot be moved to another row or use.
/// Older keys (after a rotation) are kept for decryption only.
/// </summary>
public sealed class SecretProtector
{
    private const byte Version = 1;
    private readonly byte[] _key;
    private readonly byte[] _keyId;
    private readonly Dictionary<string, byte[]> _previous;

    public SecretProtector(byte[] masterKey, IEnumerable<byte[]>? previousKeys = null)
    {
        if (masterKey.Length != 32) throw new ArgumentException("The master key must be 32 bytes.", nameof(masterKey));
        _key = masterKey;
        _keyId = KeyIdOf(masterKey);
        _previous = (previousKeys ?? []).ToDictionary(k => Convert.ToHexString(KeyIdOf(k)), k => k);
    }

    public string KeyId => Convert.ToHexStringLower(_keyId);

    public static byte[] KeyIdOf(byte[] key) => SHA256.HashData(key)[..8];

    public byte[] Protect(ReadOnlySpan<byte> plaintext, string purpose)
    {
        var output = new byte[1 + 8 + 12 + 16 + plaintext.Length];
        output[0] = Version;
        _keyId.CopyTo(output, 1);
        var nonce = output.AsSpan(9, 12);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(_key, 16);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(37), output.AsSpan(21, 16), Encoding.UTF8.GetBytes(purpose));
        return output;
    }

    public byte[] Unprotect(ReadOnlySpan<byte> data, string purpose)
    {
        if (data.Length < 37 || data[0] != Version) throw new CryptographicException("Not a protected secret.");
        var id = data.Slice(1, 8);
        var key = id.SequenceEqual(_keyId) ? _key
            : _previous.TryGetValue(Convert.ToHexString(id), out var old) ? old
            : throw new CryptographicException("The secret was protected with an unknown master key.");
        var plain = new byte[data.Length - 37];
        Decryptor(key).Decrypt(data.Slice(9, 12), data[37..], data.Slice(21, 16), plain, Encoding.UTF8.GetBytes(purpose));
        return plain;
    }

    // Every bundle download decrypts a key: the cipher's key schedule is set up once per thread and master key,
    // not once per call (the master key itself lives in this object for the process's lifetime anyway).
    [ThreadStatic] private static byte[]? t_decryptKey;
    [ThreadStatic] private static AesGcm? t_decryptor;

    private static AesGcm Decryptor(byte[] key)
    {
        if (!ReferenceEquals(t_decryptKey, key) || t_decryptor is null)
        {
            t_decryptor?.Dispose();
            (t_decryptor, t_decryptKey) = (new AesGcm(key, 16), key);
        }
        return t_decryptor;
    }

    /// <summary>A 32-byte key for one purpose (HKDF-SHA256 over the master key): for MACs, never for encryption here.</summary>
    public byte[] DeriveKey(string purpose) => Derive(_key, purpose);

    /// <summary>The key for this purpose under the current master key, then under each previous one.</summary>
    public IEnumerable<byte[]> DeriveKeys(string purpose) => _previous.Values.Select(k => Derive(k, purpose)).Prepend(DeriveKey(purpose));

    private static byte[] Derive(byte[] master, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt: [], info: Encoding.UTF8.GetBytes("adminportal:" + purpose));

    public bool IsCurrent(ReadOnlySpan<byte> data) => data.Length >= 9 && data.Slice(1, 8).SequenceEqual(_keyId);

    public string ProtectString(string plaintext, string purpose) =>
        Convert.ToBase64String(Protect(Encoding.UTF8.GetBytes(plaintext), purpose));

    public string UnprotectString(string protectedText, string purpose) =>
        Encoding.UTF8.GetString(Unprotect(Convert.FromBase64String(protectedText), purpose));
}
