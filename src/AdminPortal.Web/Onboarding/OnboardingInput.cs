using AdminPortal.Data;
using AdminPortal.Data.Pki;
using AdminPortal.Pki;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Mail;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Pki;
using Microsoft.EntityFrameworkCore;

namespace AdminPortal.Web.Onboarding;

/// <summary>
/// The wizard's fields. Link: profile and platform (or neither). Shell accounts: hosts, unixUser and publicKey. Mailbox: mailHost and
/// mailAddress (the password is generated).
/// </summary>
public sealed record OnboardingRequest(string? UserName, string? Email, string? DisplayName, string? KeyAlgorithm = null,
    string? Profile = null, string? Platform = null, IReadOnlyList<string>? Hosts = null, string? UnixUser = null, string? PublicKey = null,
    string? MailHost = null, string? MailAddress = null);

/// <summary>Checks every field before anything is stored or run; each error names its field.</summary>
public static class OnboardingInput
{
    public static PortalError? Check(OnboardingRequest r, ActionCatalog catalog)
    {
        if (PkiInput.Name(r.UserName, "userName") is { } badName) return badName;
        if (r.Email is not null && OperatorInput.Email(r.Email) is { } badEmail) return badEmail;
        if (r.DisplayName is not null && (r.DisplayName.Length > 200 || OperatorInput.HasControl(r.DisplayName)))
            return new InvalidInput("displayName", "The display name is at most 200 characters, without control characters.");
        if (!PkiInput.Algorithm(r.KeyAlgorithm, KeyAlgorithm.EcdsaP256).Ok) return PkiInput.Algorithm(r.KeyAlgorithm, KeyAlgorithm.EcdsaP256).Error;
        if ((r.Profile is null) != (r.Platform is null))
            return new InvalidInput(r.Profile is null ? "profile" : "platform", "For the profile link give both profile and platform (or neither).");
        if (r.Platform is not null && !PlatformBundles.IsPlatform(r.Platform))
            return new InvalidInput("platform", $"platform must be one of {string.Join(", ", PlatformBundles.Platforms)}.");
        if (r.Profile is not null && r.Email is null) return new InvalidInput("email", "The profile link is emailed: give the user's email address.");
        if (r.Hosts is { Count: > 0 } hosts)
        {
            if (hosts.Count > 50 || hosts.Distinct().Count() != hosts.Count) return new InvalidInput("hosts", "Give up to 50 distinct host names.");
            var specs = catalog.Find("account.create")!.Parameters;
            var user = specs.Single(p => p.Name == "username").Validate(r.UnixUser ?? "");
            if (!user.Ok) return new InvalidInput("unixUser", user.Error!.Detail);
            var key = specs.Single(p => p.Name == "publicKey").Validate(r.PublicKey ?? "");
            if (!key.Ok) return new InvalidInput("publicKey", key.Error!.Detail);
        }
        else if (r.UnixUser is not null || r.PublicKey is not null) return new InvalidInput("hosts", "Choose the hosts for the shell account.");
        if ((r.MailHost is null) != (r.MailAddress is null))
            return new InvalidInput(r.MailHost is null ? "mailHost" : "mailAddress", "For a mailbox give both mailHost and mailAddress.");
        if (r.MailAddress is not null && MailInput.Address(r.MailAddress) is { } badAddress) return badAddress with { Field = "mailAddress" };
        if (r.MailAddress is not null && MailInput.DisplayName(r.DisplayName) is { } badDisplay) return badDisplay with { Field = "displayName" };
        return null;
    }

    /// <summary>The checks that need the database: profile and hosts exist, the user has no active certificate yet.</summary>
    public static async Task<PortalError?> CheckStoredAsync(PortalDbContext db, OnboardingRequest r, CancellationToken ct)
    {
        if (r.Profile is not null && !await db.VpnProfiles.AnyAsync(p => p.Name == r.Profile, ct))
            return new InvalidInput("profile", $"There is no VPN profile '{InputText.Printable(r.Profile)}'.");
        if (r.Hosts is { Count: > 0 } hosts)
        {
            var known = await db.Hosts.Where(h => hosts.Contains(h.Name)).Select(h => h.Name).ToListAsync(ct);
            if (hosts.FirstOrDefault(h => !known.Contains(h)) is { } missing)
                return new InvalidInput("hosts", $"There is no host '{InputText.Printable(missing)}'.");
        }
        if (r.MailHost is not null && !await db.MailHosts.AnyAsync(m => m.Host!.Name == r.MailHost, ct))
            return new InvalidInput("mailHost", $"There is no mail host '{InputText.Printable(r.MailHost)}'.");
        if (r.MailAddress is not null && await db.Mailboxes.AnyAsync(m => m.Address == MailInput.Normal(r.MailAddress), ct))
            return new Conflict($"The mailbox '{r.MailAddress}' exists already.");
        if (await db.Certificates.AnyAsync(c => c.VpnUser!.Name == r.UserName && c.Status == CertificateStatus.Active, ct))
            return new Conflict($"'{r.UserName}' already has an active certificate: onboarding is for new users.");
        if (await db.CertificateAuthorities.IssuingAsync(ct) is null) return new Conflict("There is no certificate authority yet: create it first.");
        return null;
    }
}
