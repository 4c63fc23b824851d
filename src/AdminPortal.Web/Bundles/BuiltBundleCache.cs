using System.Collections.Concurrent;
using System.Security.Cryptography;
using AdminPortal.Data;

namespace AdminPortal.Web.Bundles;

/// <summary>
/// Finished bundles without a key passphrase, kept only encrypted (AES-256-GCM under a key made at random when the
/// portal starts and never stored or logged): the next download of the same certificate, profile and platform
/// decrypts the finished file instead of decrypting the key and writing the PEMs, the profile and the zip again.
/// A decrypted key is never kept. An entry is used only for the same user, certificate, profile material version,
/// platform, CA chain and helpdesk contact it was built from, so anything that would change the file builds a new
/// one; and the audit batch still checks, for every download, that the certificate is active and the profile at
/// that version. A passphrase makes every download a fresh build (its key is encrypted with that passphrase).
/// </summary>
public sealed class BuiltBundleCache
{
    /// <summary>A bound on memory (the encrypted files): past it the cache simply starts over.</summary>
    public const long MaxBytes = 64L << 20;

    private readonly SecretProtector _protector = new(RandomNumberGenerator.GetBytes(32));
    private readonly ConcurrentDictionary<Key, Entry> _entries = new();
    private long _bytes;

    private readonly record struct Key(Guid CertificateId, Guid ProfileId, int MaterialVersion, string Platform);

    private sealed record Entry(string UserName, string Chain, string Helpdesk, string ProfileName, string Serial, string FileName, string ContentType,
        string Disposition, byte[] Sealed);

    public BuiltBundle? Find(string userName, ActiveCertificate cert, ProfileMaterial profile, string platform, string chainPem, string helpdesk)
    {
        if (!_entries.TryGetValue(new(cert.Id, profile.Profile.Id, profile.Profile.MaterialVersion, platform), out var e)
            || e.UserName != userName || !ReferenceEquals(e.Chain, chainPem) && e.Chain != chainPem || e.Helpdesk != helpdesk) return null;
        var content = _protector.Unprotect(e.Sealed, Purpose);
        return new BuiltBundle(new BundleFile(e.FileName, e.ContentType, content) { Disposition = e.Disposition }, userName, e.ProfileName, platform, e.Serial);
    }

    public void Keep(BuiltBundle built, ActiveCertificate cert, ProfileMaterial profile, string chainPem, string helpdesk)
    {
        var f = built.File;
        var entry = new Entry(built.UserName, chainPem, helpdesk, built.ProfileName, built.Serial, f.FileName, f.ContentType, f.Disposition,
            _protector.Protect(f.Content, Purpose));
        if (Interlocked.Add(ref _bytes, entry.Sealed.Length) > MaxBytes)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _bytes, entry.Sealed.Length);
        }
        _entries[new(cert.Id, profile.Profile.Id, profile.Profile.MaterialVersion, built.Platform)] = entry;
    }

    private const string Purpose = "built-bundle-cache";
}
