using AdminPortal.Data;
using AdminPortal.Data.Audit;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using AdminPortal.Web.Audit;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.VpnServers;

/// <summary><c>confirm</c> must repeat the profile's name; <c>reason</c> defaults to keyCompromise; links default to the .ovpn platform.</summary>
public sealed record CompromisedRequest(string? Confirm, string? Reason = null, bool ResendLinks = true, string? Platform = null);

public sealed record CompromisePublish(string Server, Guid? RunId, string? Error);

public sealed record CompromiseResult(
    string Profile, string OldServerSerial, string NewServerSerial, long CrlNumber, int MaterialVersion,
    IReadOnlyList<CompromisePublish> PublishRuns, int LinksSent, IReadOnlyList<string> UsersWithoutEmail, IReadOnlyList<string> LinkErrors);

/// <summary>
/// A VPN server of a profile was compromised: its server certificate and tls-crypt key (the profile's, shared by every
/// server of it) are replaced in one audited transaction (old certificate revoked, CRL regenerated, new certificate,
/// new tls-crypt key, material version bumped so no cache serves the old key); then every server of the profile is
/// republished and every user with an active certificate and an email address gets a new one-time link by email.
/// </summary>
public sealed class VpnCompromise(
    AuditedWork work, IDbContextFactory<PortalDbContext> dbs, VpnProfileService profiles, CrlService crls, VpnPublisher publisher,
    DownloadLinks links, TimeProvider time)
{
    public const string DefaultPlatform = "ovpn";

    public async Task<Result<CompromiseResult>> RunAsync(string name, CompromisedRequest request, AuditActor actor, CancellationToken ct)
    {
        var reason = PkiInput.Reason(request.Reason ?? RevocationReason.KeyCompromise.Name());
        if (!reason.Ok) return reason.Error!;
        var platform = request.Platform ?? DefaultPlatform;
        if (!PlatformBundles.IsPlatform(platform))
            return new InvalidInput("platform", $"platform must be one of {string.Join(", ", PlatformBundles.Platforms)}.");
        var pair = await Task.Run(() => KeyPairs.Generate(KeyAlgorithm.EcdsaP256), ct);
        var rotated = await work.RunAsync<Result<(string Old, string New, long Crl, int Version)>>(async (_, db, c) =>
        {
            // Locked: two compromise requests for one profile run one after the other.
            var profile = await db.VpnProfiles.FromSql($"""SELECT * FROM vpn_profiles WHERE "Name" = {name} FOR UPDATE""").FirstOrDefaultAsync(c);
            if (profile is null) return (new NotFound("VPN profile", name), default);
            if (request.Confirm != profile.Name)
                return (new InvalidInput("confirm", $"Type the profile's name ('{profile.Name}') in confirm to replace its server certificate and tls-crypt key."), default);
            var ca = await CaMaterial.IssuingAsync(db, c);
            if (ca is null) return (new Conflict("There is no certificate authority yet: create it first."), default);
            var old = await db.Certificates.SingleAsync(x => x.Id == profile.ServerCertificateId, c);
            if (old.Status == CertificateStatus.Active)
            {
                old.Status = CertificateStatus.Revoked;
                old.RevokedAt = time.GetUtcNow();
                old.RevocationReason = reason.Value.Name();
                old.RevokedBy = actor.Name;
            }
            var cert = profiles.IssueServerCertificate(ca, profile.Name, pair, actor);
            db.Certificates.Add(cert);
            profile.ServerCertificateId = cert.Id;
            profile.EncryptedTlsCryptKey = profiles.NewControlChannelKey(profile.Id, profile.ControlChannel);
            profile.MaterialVersion++;
            await db.SaveChangesAsync(c);
            var oldCa = await db.CertificateAuthorities.SingleAsync(x => x.Id == old.CaId, c);
            var crl = await crls.RegenerateAsync(db, oldCa, c);
            return ((old.Serial, cert.Serial, crl.Number, profile.MaterialVersion), new AuditEntry(actor, "vpn.profile.compromised", $"vpn-profile:{profile.Name}",
                new
                {
                    oldSerial = old.Serial, reason = reason.Value.Name(), newSerial = cert.Serial, newNotAfter = cert.NotAfter, crlNumber = crl.Number,
                    materialVersion = profile.MaterialVersion, tlsCryptRotated = true
                }));
        }, ct);
        if (!rotated.Ok) return rotated.Error!;
        var (oldSerial, newSerial, crlNumber, version) = rotated.Value;

        // After the commit: each publish and each link is its own audited step; a failure of one does not stop the others.
        var runs = new List<CompromisePublish>();
        foreach (var server in await ServersAsync(name, ct))
        {
            var started = await publisher.StartAsync(server, actor, ct);
            runs.Add(new CompromisePublish(server, started.Value?.Id, started.Error?.Detail));
        }
        var (sent, withoutEmail, errors) = request.ResendLinks ? await ResendAsync(name, platform, actor, ct) : (0, [], []);
        return new CompromiseResult(name, oldSerial, newSerial, crlNumber, version, runs, sent, withoutEmail, errors);
    }

    private async Task<List<string>> ServersAsync(string profile, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.VpnServers.AsNoTracking().Where(s => s.Profile!.Name == profile).OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(ct);
    }

    private async Task<(int Sent, List<string> WithoutEmail, List<string> Errors)> ResendAsync(string profile, string platform, AuditActor actor, CancellationToken ct)
    {
        List<(string Name, string? Email)> users;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            users = (await db.VpnUsers.AsNoTracking()
                    .Where(u => db.Certificates.Any(c => c.VpnUserId == u.Id && c.Kind == "client" && c.Status == CertificateStatus.Active))
                    .OrderBy(u => u.Name).Select(u => new { u.Name, u.Email }).ToListAsync(ct))
                .Select(u => (u.Name, u.Email)).ToList();
        }
        var (sent, withoutEmail, errors) = (0, new List<string>(), new List<string>());
        foreach (var (user, email) in users)
        {
            if (string.IsNullOrEmpty(email)) { withoutEmail.Add(user); continue; }
            var link = await links.CreateAsync(user, new CreateLinkRequest(profile, platform, null, Email: true), actor, ct);
            if (link.Ok) sent++;
            else errors.Add($"{user}: {link.Error!.Detail}");
        }
        return (sent, withoutEmail, errors);
    }
}
