using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AdminPortal.Data.Audit;

/// <summary>A signed statement "the chain had this head hash at this sequence", kept outside the database.</summary>
public sealed record AuditCheckpoint(long Sequence, string HeadHash, DateTimeOffset CreatedAt, string KeyId, string Signature)
{
    public byte[] Payload() => Encoding.UTF8.GetBytes(
        $"adminportal-audit-checkpoint\n{Sequence}\n{HeadHash}\n{CreatedAt.UtcDateTime:O}");
}

/// <summary>Where checkpoints are written and the file that holds the signing key (never the database).</summary>
public sealed record CheckpointSettings(string Directory, string KeyFile);

/// <summary>
/// Signs checkpoints with an ECDSA P-256 key kept in a file beside (not inside) the database, and reads them
/// back. A database superuser who rewrites the chain and recomputes every hash cannot forge a checkpoint.
/// </summary>
public sealed class AuditCheckpoints(CheckpointSettings settings)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    // PublicationOnly: a failure (say, the volume not mounted yet) is not cached for the life of the process.
    private readonly Lazy<ECDsa> _key = new(() => LoadOrCreateKey(settings.KeyFile), LazyThreadSafetyMode.PublicationOnly);

    public string KeyId => Convert.ToHexStringLower(SHA256.HashData(_key.Value.ExportSubjectPublicKeyInfo()))[..16];

    public async Task<AuditCheckpoint> WriteAsync(long sequence, byte[] headHash, DateTimeOffset now, CancellationToken ct)
    {
        var unsigned = new AuditCheckpoint(sequence, Convert.ToHexStringLower(headHash), now, KeyId, "");
        var sig = _key.Value.SignData(unsigned.Payload(), HashAlgorithmName.SHA256);
        var cp = unsigned with { Signature = Convert.ToBase64String(sig) };
        Directory.CreateDirectory(settings.Directory);
        var name = Path.Combine(settings.Directory, $"checkpoint-{sequence:D20}-{now.UtcTicks}.json");
        var tmp = name + ".tmp";
        await File.WriteAllTextAsync(tmp, JsonSerializer.Serialize(cp, Json), ct);
        File.Move(tmp, name, overwrite: true);
        return cp;
    }

    public bool IsValid(AuditCheckpoint cp)
    {
        try
        {
            return cp.KeyId == KeyId &&
                   _key.Value.VerifyData(cp.Payload(), Convert.FromBase64String(cp.Signature), HashAlgorithmName.SHA256);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>All checkpoints on disk, oldest first. Unreadable files are returned as invalid checkpoints.</summary>
    public IReadOnlyList<AuditCheckpoint> ReadAll()
    {
        if (!Directory.Exists(settings.Directory)) return [];
        var list = new List<AuditCheckpoint>();
        foreach (var file in Directory.EnumerateFiles(settings.Directory, "checkpoint-*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                var cp = JsonSerializer.Deserialize<AuditCheckpoint>(File.ReadAllText(file), Json);
                if (cp is not null) list.Add(cp);
            }
            catch (JsonException)
            {
                list.Add(new AuditCheckpoint(-1, "", DateTimeOffset.MinValue, "", ""));
            }
        }
        return list;
    }

    private static ECDsa LoadOrCreateKey(string file)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            if (SecretFiles.TryPublish(file, key.ExportPkcs8PrivateKeyPem())) return key;
            // Another instance published its key first: use that one.
        }
        key.ImportFromPem(File.ReadAllText(file));
        return key;
    }
}
