using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using AdminPortal.Data;
using AdminPortal.Data.Hosts;
using Microsoft.EntityFrameworkCore;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Utilities;
using Org.BouncyCastle.Security;
using Renci.SshNet;
using Renci.SshNet.Security;

namespace AdminPortal.Web.Hosts.Ssh;

/// <summary>Private key material as stored (encrypted as a whole): an OpenSSH or PEM key and its passphrase, if any.</summary>
public sealed record KeyMaterial(string Pem, string? Passphrase)
{
    public PrivateKeyFile Open()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Pem));
        return Passphrase is null ? new PrivateKeyFile(stream) : new PrivateKeyFile(stream, Passphrase);
    }
}

/// <summary>Makes, reads and loads the portal's SSH keys; decrypted keys are kept in memory only, for the pool.</summary>
public sealed class SshKeys(IDbContextFactory<PortalDbContext> dbs, SecretProtector secrets)
{
    private readonly ConcurrentDictionary<Guid, PrivateKeyFile> _loaded = new();

    /// <summary>A new ed25519 key pair in OpenSSH format, and its public key in authorized_keys format.</summary>
    public static (KeyMaterial Key, string PublicKey) GenerateEd25519(string comment)
    {
        var gen = new Ed25519KeyPairGenerator();
        gen.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = gen.GenerateKeyPair();
        var blob = OpenSshPrivateKeyUtilities.EncodePrivateKey(pair.Private);
        var pem = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Convert.ToBase64String(blob, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\n")
            + "\n-----END OPENSSH PRIVATE KEY-----\n";
        var pub = OpenSshPublicKeyUtilities.EncodePublicKey((Ed25519PublicKeyParameters)pair.Public);
        return (new KeyMaterial(pem, null), $"ssh-ed25519 {Convert.ToBase64String(pub)} {comment}");
    }

    /// <summary>Reads an imported key (OpenSSH or PEM, maybe with a passphrase); null when it cannot be read.</summary>
    public static (KeyMaterial Key, string PublicKey, string KeyType)? Import(string pem, string? passphrase, string comment)
    {
        var material = new KeyMaterial(pem.Trim() + "\n", string.IsNullOrEmpty(passphrase) ? null : passphrase);
        try
        {
            var file = material.Open();
            var blob = ((KeyHostAlgorithm)file.HostKeyAlgorithms.First()).Data;
            var type = KeyTypeOf(blob);
            return (material, $"{type} {Convert.ToBase64String(blob)} {comment}", type);
        }
        // A wrong passphrase on a legacy PEM key (CBC, unchecked padding) can decrypt to garbage that the DER reader
        // rejects with whatever it meets (AsnContentException, overflow, ...): unreadable input, never a 500.
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            return null;
        }
    }

    /// <summary>The key type named at the start of an SSH public key blob (<c>ssh-ed25519</c>, <c>ssh-rsa</c>, …).</summary>
    public static string KeyTypeOf(byte[] blob)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(blob);
        return Encoding.ASCII.GetString(blob, 4, length);
    }

    public byte[] Protect(KeyMaterial key, Guid credentialId) =>
        secrets.Protect(JsonSerializer.SerializeToUtf8Bytes(key), SshCredential.Purpose(credentialId));

    /// <summary>Makes a key the caller already holds available to the pool under <paramref name="credentialId"/> (benchmarks, tools).</summary>
    public void Remember(Guid credentialId, PrivateKeyFile key) => _loaded[credentialId] = key;

    public async Task<PrivateKeyFile> LoadAsync(Guid credentialId, CancellationToken ct)
    {
        if (_loaded.TryGetValue(credentialId, out var cached)) return cached;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var row = await db.SshCredentials.AsNoTracking().SingleAsync(c => c.Id == credentialId, ct);
        var material = JsonSerializer.Deserialize<KeyMaterial>(secrets.Unprotect(row.EncryptedPrivateKey, SshCredential.Purpose(credentialId)))!;
        return _loaded.GetOrAdd(credentialId, material.Open());
    }
}
