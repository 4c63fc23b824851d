using System.Text;
using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Bundles;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AdminPortal.Web.Bundles;

public sealed record VpnProfileView(
    string Name, string[] RemoteHosts, int Port, string Protocol, string DataCiphers, string ServerNetwork,
    string[] PushRoutes, string[] PushDns, string[] ClientDirectives, string ServerCommonName, string ServerSerial,
    DateTimeOffset ServerNotAfter, DateTimeOffset CreatedAt, string CreatedBy, string ControlChannel);

/// <summary>
/// VPN profiles: creating one issues its server certificate and control-channel key (a tls-crypt key, or a tls-crypt-v2 server key
/// that wraps a fresh client key for every client profile); its server files install a server by hand.
/// </summary>
public sealed class VpnProfileService(
    AuditedWork work, IDbContextFactory<PortalDbContext> dbs, CaKeys keys, SecretProtector secrets, IOptions<PkiOptions> pki, TimeProvider time)
{
    public static string TlsCryptPurpose(Guid profileId) => $"tls-crypt:{profileId}";

    public async Task<Result<VpnProfileView>> CreateAsync(CreateProfileRequest request, AuditActor actor, CancellationToken ct)
    {
        var valid = ProfileInput.Validate(request);
        if (!valid.Ok) return valid.Error!;
        var p = valid.Value!;
        var pair = KeyPairs.Generate(KeyAlgorithm.EcdsaP256);
        return await work.RunAsync<Result<VpnProfileView>>(async (_, db, c) =>
        {
            var ca = await CaMaterial.IssuingAsync(db, c);
            if (ca is null) return (new Conflict("There is no certificate authority yet: create it first."), null);
            if (await db.VpnProfiles.AnyAsync(x => x.Name == p.Name, c)) return (new Conflict($"A profile named '{p.Name}' already exists."), null);
            var now = time.GetUtcNow();
            var cert = IssueServerCertificate(ca, p.Name, pair, actor);
            var certId = cert.Id;
            var profileId = Guid.NewGuid();
            var profile = new VpnProfile
            {
                Id = profileId, Name = p.Name, RemoteHosts = p.RemoteHosts, Port = p.Port, Protocol = p.Protocol, DataCiphers = p.DataCiphers,
                ServerNetwork = p.ServerNetwork, PushRoutes = p.PushRoutes, PushDns = p.PushDns, ClientDirectives = p.ClientDirectives,
                ControlChannel = p.ControlChannel, EncryptedTlsCryptKey = NewControlChannelKey(profileId, p.ControlChannel),
                ServerCertificateId = certId, ServerCertificate = cert, CreatedAt = now, CreatedBy = actor.Name,
            };
            db.Certificates.Add(cert);
            db.VpnProfiles.Add(profile);
            try { await db.SaveChangesAsync(c); }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                return (new Conflict($"A profile named '{p.Name}' already exists."), null);
            }
            return (View(profile), new AuditEntry(actor, "vpn.profile.created", $"vpn-profile:{p.Name}",
                new { remoteHosts = p.RemoteHosts, port = p.Port, protocol = p.Protocol, controlChannel = p.ControlChannel, serverSerial = cert.Serial, serverNotAfter = cert.NotAfter }));
        }, ct);
    }

    /// <summary>A new server certificate for the profile (CN from <see cref="OpenVpnConfigs.ServerCommonName"/>), its key encrypted under the master key.</summary>
    public IssuedCertificate IssueServerCertificate(CertificateAuthority ca, string profileName, Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair pair, AuditActor actor)
    {
        var now = time.GetUtcNow();
        var x509 = CertificateBuilder.Issue(keys.Open(ca), CertificateKind.Server, OpenVpnConfigs.ServerCommonName(profileName), pair.Public, now,
            TimeSpan.FromDays(pki.Value.CertificateValidDays), Serials.New());
        var certId = Guid.NewGuid();
        return new IssuedCertificate
        {
            Id = certId, CaId = ca.Id, Serial = Serials.ToHex(x509.SerialNumber), Kind = "server", CommonName = OpenVpnConfigs.ServerCommonName(profileName),
            Profile = profileName, CertificatePem = Pem.Certificate(x509), KeyAlgorithm = KeyAlgorithm.EcdsaP256.Name(),
            EncryptedKey = secrets.Protect(KeyPairs.ExportPkcs8(pair.Private), CaKeys.CertificatePurpose(certId)),
            NotBefore = CaService.Utc(x509.NotBefore), NotAfter = CaService.Utc(x509.NotAfter), IssuedAt = now, IssuedBy = actor.Name,
        };
    }

    /// <summary>A fresh control-channel key, encrypted for the profile: a tls-crypt key (static key V1) or a tls-crypt-v2 server key.</summary>
    public byte[] NewControlChannelKey(Guid profileId, string controlChannel) =>
        secrets.Protect(Encoding.ASCII.GetBytes(controlChannel == ControlChannels.TlsCryptV2 ? TlsCryptV2.NewServerKey() : OpenVpnConfigs.NewTlsCryptKey()),
            TlsCryptPurpose(profileId));

    public async Task<IReadOnlyList<VpnProfileView>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return (await db.VpnProfiles.AsNoTracking().Include(p => p.ServerCertificate).OrderBy(p => p.Name).ToListAsync(ct)).Select(View).ToList();
    }

    /// <summary>
    /// A zip with server.conf, ca.pem, server.crt, server.key, tls-crypt.key and crl.pem. Audited: it carries a private key. For a
    /// tls-crypt-v2 profile tls-crypt.key holds the tls-crypt-v2 server key and server.conf says <c>tls-crypt-v2 tls-crypt.key</c>.
    /// </summary>
    public async Task<Result<BundleFile>> ServerFilesAsync(string name, AuditActor actor, CancellationToken ct) =>
        await work.RunAsync<Result<BundleFile>>(async (_, db, c) =>
        {
            var profile = await db.VpnProfiles.AsNoTracking().Include(p => p.ServerCertificate).FirstOrDefaultAsync(p => p.Name == name, c);
            if (profile is null) return (new NotFound("VPN profile", name), null);
            var cert = profile.ServerCertificate!;
            var files = await ServerFilesOfAsync(db, profile, c);
            var zip = new BundleFile($"{profile.Name}-server.zip", "application/zip",
                PlatformBundles.Zip(files.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value))));
            return (zip, new AuditEntry(actor, "vpn.profile.server-files", $"vpn-profile:{profile.Name}", new { serverSerial = cert.Serial }));
        }, ct);

    /// <summary>server.conf, ca.pem, server.crt, server.key, tls-crypt.key and crl.pem of a profile loaded with its server certificate.</summary>
    public async Task<Dictionary<string, string>> ServerFilesOfAsync(PortalDbContext db, VpnProfile profile, CancellationToken ct)
    {
        var cert = profile.ServerCertificate ?? throw new ArgumentException("Load the profile with its server certificate.", nameof(profile));
        return new Dictionary<string, string>
        {
            ["server.conf"] = OpenVpnConfigs.ServerConf(profile),
            ["ca.pem"] = await CaMaterial.ChainPemAsync(db, ct),
            ["server.crt"] = cert.CertificatePem,
            ["server.key"] = Pem.PrivateKey(secrets.Unprotect(cert.EncryptedKey!, CaKeys.CertificatePurpose(cert.Id))),
            ["tls-crypt.key"] = TlsCryptKey(profile),
            ["crl.pem"] = await CaMaterial.CrlPemAsync(db, ct),
        };
    }

    /// <summary>The profile's control-channel key as stored: the tls-crypt key, or the tls-crypt-v2 server key (never for a client).</summary>
    public string TlsCryptKey(VpnProfile profile) => Encoding.ASCII.GetString(secrets.Unprotect(profile.EncryptedTlsCryptKey, TlsCryptPurpose(profile.Id)));

    public static VpnProfileView View(VpnProfile p) => new(
        p.Name, p.RemoteHosts, p.Port, p.Protocol, p.DataCiphers, p.ServerNetwork, p.PushRoutes, p.PushDns, p.ClientDirectives,
        p.ServerCertificate?.CommonName ?? "", p.ServerCertificate?.Serial ?? "", p.ServerCertificate?.NotAfter ?? default, p.CreatedAt, p.CreatedBy, p.ControlChannel);
}
