using System.Buffers.Binary;
using System.Text;
using AdminPortal.Web.Bundles;
using AdminPortal.Web.Email;
using AdminPortal.Web.Errors;
using AdminPortal.Web.Hosts;
using AdminPortal.Web.Hosts.Actions;
using AdminPortal.Web.Mail;
using AdminPortal.Web.Onboarding;
using AdminPortal.Web.Operators;
using AdminPortal.Web.Pki;
using AdminPortal.Web.Tokens;
using AdminPortal.Web.VpnServers;
using AdminPortal.Web.VpnServers.ClientConfigs;

namespace AdminPortal.UnitTests.Validation;

/// <summary>
/// One validated field: <see cref="Check"/> gives the value the product keeps (null when refused), values it accepts,
/// values it refuses, and long near-misses (almost matching, then wrong at the end) that a backtracking pattern chokes on.
/// </summary>
public sealed record ValidatorCase(string Name, Func<string, string?> Check, string[] Good, string[] Bad, string[] NearMisses)
{
    public override string ToString() => Name;
}

/// <summary>Every *Input validator of the product (and the other fields checked by a pattern), as a table.</summary>
public static class ValidatorTable
{
    private static readonly ActionCatalog Catalog = new();

    /// <summary>A well-formed ed25519 public key line (the blob decodes; the key bytes are arbitrary).</summary>
    public static readonly string PublicKey = Ed25519Line();

    public static readonly IReadOnlyList<ValidatorCase> All =
    [
        new("VPN user / profile name (PkiInput.Name)", Err(v => PkiInput.Name(v)),
            ["alice", "a.b_c-d@e", "A" + new string('b', 63)], ["", "a b", "-a", "a/b", new string('a', 65)],
            [new string('a', 64) + "!", "a" + new string('@', 63) + " "]),
        new("CA name (PkiInput.CaName: a common name)", Err(v => PkiInput.CaName(v)),
            ["Acme Root CA", "Acme \"Root\" CA / Ops \\ 1", "Ünïcødé – 証明書 🔐", "#41", new string('M', 64)],
            ["", " Acme", "Acme ", "Acme\tRoot", "\u202eAcme", "Acme\u200bRoot", "Acme\u00a0Root", "Acme \ud800", new string('M', 65)],
            [new string('M', 63) + "\u0001", new string(' ', 64)]),
        new("API token name", Err(ApiTokenService.ValidateName),
            ["ci-token.1", "T"], ["", "a b", ".x", "a@b"], [new string('a', 64) + "!"]),
        new("operator email (OperatorInput.Email)", Err(OperatorInput.Email),
            ["ops@example.test", "o.b+x@sub.example.test"], ["", "x", "Eve <eve@example.test>", "a@b@c"],
            ["a@" + string.Concat(Enumerable.Repeat("b.", 120)) + "b@", new string('a', 240) + "@x.y@"]),
        new("operator display name (OperatorInput.DisplayName)", Err(OperatorInput.DisplayName),
            ["Ops O'Neil", "Zoë – ops"], [new string('x', 101), "a\u2028b"], [new string('x', 99) + "\u0001"]),
        new("onboarding user name", Err(v => OnboardingInput.Check(new OnboardingRequest(v, null, null), Catalog)),
            ["bob", "b.o_b@x"], ["", "b b"], [new string('a', 64) + "!"]),
        new("onboarding display name", Err(v => OnboardingInput.Check(new OnboardingRequest("bob", null, v), Catalog)),
            ["Bob B", "Zoë"], [new string('x', 201)], [new string('x', 199) + "\u0007"]),
        new("host name (HostInput.Name)", Err(v => HostInput.Name("name", v)),
            ["web-1", "db.example_2"], ["", "-x", "a b", "a/b"], [new string('a', 64) + "!"]),
        new("host address (HostInput.Address)", Err(HostInput.Address),
            ["127.0.0.1", "host-1.example.test", "[::1]", "::1"], ["", "a b", "x;y", "-x"],
            ["a" + new string('-', 250) + "!", "a" + new string('.', 250) + "_", "[" + new string(':', 250) + "g"]),
        new("host login user (HostInput.User)", Err(HostInput.User),
            ["root", "apsudo", "_svc-1"], ["", "Root", "1abc", new string('a', 33)], [new string('a', 32) + "!"]),
        new("host key fingerprint (HostInput.Fingerprint)", Err(v => HostInput.Fingerprint("fingerprint", v)),
            ["SHA256:" + new string('A', 43)], ["SHA256:" + new string('A', 42), "MD5:aa"], ["SHA256:" + new string('A', 200) + "!"]),
        new("host groups (HostInput.Names)", Err(v => HostInput.Names("groups", [v])),
            ["web", "db.eu-1"], ["", "a b"], [new string('a', 64) + "!"]),
        new("host allowed services (HostInput.Units)", Err(v => HostInput.Units([v])),
            ["cron.service", "openvpn-server@x.service"], ["", "a b", "a;b"], [new string('a', 128) + "!"]),
        new("VPN server name", Err(v => VpnServerInput.Validate(new CreateVpnServerRequest(v, "h", "p")).Error),
            ["vpn-1"], ["", "a b"], [new string('a', 64) + "!"]),
        new("VPN server configDir (VpnServerInput.Path)", Err(v => VpnServerInput.Path("configDir", v, 200)),
            ["/etc/openvpn/server/x", "/srv/vpn/", "/a.b/c_d/e-f"], ["", "/", "rel/x", "/a/../b", "/a b", "/a;b", "/" + new string('a', 200)],
            ["/" + new string('a', 60) + "!", "/" + string.Concat(Enumerable.Repeat("a/", 60)) + "!", "/" + new string('a', 150) + "/ "]),
        new("VPN server managementSocket (VpnServerInput.Path)", Err(v => VpnServerInput.Path("managementSocket", v, VpnServerInput.MaxSocketPath)),
            ["/run/openvpn/x.sock"], ["", "/", "mgmt.sock", "/a/../b"], ["/" + new string('a', 60) + "!", "/" + string.Concat(Enumerable.Repeat("ab/", 30)) + "$"]),
        new("VPN server serviceName", Err(v => VpnServerInput.Validate(new CreateVpnServerRequest("s", "h", "p", ServiceName: v)).Error),
            ["openvpn-server@s.service"], ["", "-x", "a b"], [new string('a', 128) + "!"]),
        new("VPN server user", Err(v => VpnServerInput.Validate(new CreateVpnServerRequest("s", "h", "p", User: v)).Error),
            ["nobody", "openvpn"], ["", "Root", "a b"], [new string('a', 32) + "!"]),
        new("VPN server group", Err(v => VpnServerInput.Validate(new CreateVpnServerRequest("s", "h", "p", Group: v)).Error),
            ["nogroup"], ["", "Wheel"], [new string('a', 32) + "!"]),
        new("VPN server netNamespace", Err(v => VpnServerInput.Namespace(v, "daemon")),
            ["vpn-ns-1"], ["", "NS", "a b", new string('a', 33)], [new string('a', 32) + "!"]),
        new("VPN server directive (ServerDirectiveList)", Res(v => ServerDirectiveList.Validate([v]), a => a[0]),
            ["verb 3", "mute 20", "reneg-sec 3600"], ["up /bin/sh", "verb 3;id", ""], ["verb " + new string('a', 64) + "!"]),
        new("profile name", Res(v => ProfileInput.Validate(new CreateProfileRequest(v, "vpn.example.test", 1194, "udp")), p => p.Name),
            ["office", "o@x"], ["", "a b"], [new string('a', 64) + "!"]),
        new("profile remoteHost", Res(v => ProfileInput.Validate(new CreateProfileRequest("p", v, 1194, "udp")), p => p.RemoteHosts[0]),
            ["vpn.example.test", "10.0.0.1", "2001:db8::1"], ["", "a b", "-x", "x;y", "1.2.3"],
            [string.Concat(Enumerable.Repeat("a.", 120)) + "!", new string('a', 63) + "." + new string('b', 63) + "-!", string.Concat(Enumerable.Repeat("a-", 120)) + "."]),
        new("profile pushRoutes", Res(v => ProfileInput.Validate(new CreateProfileRequest("p", "h.example.test", 1194, "udp", PushRoutes: [v])), p => p.PushRoutes[0]),
            ["10.0.0.0/16"], ["10.0.0.1/16", "x"], ["10.0.0.0/" + new string('1', 100)]),
        new("profile pushDns", Res(v => ProfileInput.Validate(new CreateProfileRequest("p", "h.example.test", 1194, "udp", PushDns: [v])), p => p.PushDns[0]),
            ["10.0.0.53"], ["x", "10.0.0.053"], [new string('1', 100)]),
        new("profile client directive (ProfileInput.Directive)", Res(ProfileInput.Directive, _ => "ok"),
            ["verb 3", "route 10.0.0.0 255.0.0.0"], ["up /bin/sh", "script-security 2", "verb 3;id"], ["verb " + new string('a', 64) + "!"]),
        new("mailbox address (MailInput.Address)", Err(MailInput.Address),
            ["ann@example.test", "o.b_r+tag-1@mail.example.test"], ["", "nodomain", "x@localhost", "a:b@example.test", "a b@example.test"],
            ["a@" + string.Concat(Enumerable.Repeat("b.", 120)) + "1", "a@" + string.Concat(Enumerable.Repeat("b-", 60)) + ".x!",
             new string('a', 64) + "@" + string.Concat(Enumerable.Repeat("bb.", 60)) + "c"]),
        new("mailbox display name (MailInput.DisplayName)", Err(MailInput.DisplayName),
            ["Ann O'Neil", "Zoë d'Arc, Jr."], ["Eve:0:0", "Eve $(id)", new string('x', 101)], [new string('x', 99) + ":"]),
        new("mailbox password (MailInput.Password)", Err(v => MailInput.Password(v, "ann@example.test")),
            ["correct horse battery"], ["short", " leading space pw", "ann@example.test"], [new string('x', 127) + "\u0001"]),
        new("mail host passwdFile (MailInput.Path)", Err(v => MailInput.Path("passwdFile", v)),
            ["/etc/dovecot/users"], ["", "rel/users", "/etc/../shadow", "/a b"], ["/" + new string('a', 250) + "!"]),
        new("mail host homeTemplate (MailInput.Path with %d %n %u)", Err(v => MailInput.Path("homeTemplate", v, allowTemplate: true)),
            ["/var/mail/%d/%n"], ["/var/mail/%x", "rel"], ["/" + string.Concat(Enumerable.Repeat("%d", 120)) + "%x"]),
        new("mail host quotaRule (MailInput.QuotaRule)", Err(MailInput.QuotaRule),
            ["*:storage=1G", "*:messages=1000"], ["", "*:storage=1Q", "x"], ["*:storage=" + new string('1', 100) + "Q"]),
        new("mail host aoxPath (MailInput.AoxPath)", Err(MailInput.AoxPath),
            ["aox", "/usr/local/bin/aox"], ["aox;id", "bin/aox"], ["/" + new string('a', 250) + "!"]),
        new("SMTP host (SmtpInput)", Err(v => SmtpInput.Check(Smtp(host: v))),
            ["127.0.0.1", "smtp.example.test"], ["", "a b", "smtp;id"], [new string('a', 250) + "!"]),
        new("SMTP user name (SmtpInput)", Err(v => SmtpInput.Check(Smtp(user: v))),
            ["portal", "portal@example.test"], [new string('x', 257)], [new string('x', 255) + "\u0001"]),
        new("SMTP from address (SmtpInput)", Err(v => SmtpInput.Check(Smtp(from: v))),
            ["portal@example.test"], ["", "x", "Eve <e@example.test>"], [new string('a', 240) + "@x.y@"]),
        new("SMTP helpdesk contact (SmtpInput)", Err(v => SmtpInput.Check(Smtp(helpdesk: v))),
            ["IT desk, +49 30 1234"], [new string('x', 501)], [new string('x', 499) + "\u0001"]),
        new("client static address (ClientConfigInput.Address)", Res(v => ClientConfigInput.Address(v, "10.8.0.0/24"), a => a),
            ["10.8.0.200"], ["10.8.0.5", "10.9.0.200", "x", "10.8.0", "10.8.0.255"], [new string('1', 200)]),
        new("client routes (ClientConfigInput.Routes)", Res(v => ClientConfigInput.Routes([v], "10.8.0.0/24"), a => a[0]),
            ["192.168.50.0/24"], ["192.168.50.1/24", "0.0.0.0/0", "x", "10.8.0.0/24"], ["192.168.50.0/" + new string('2', 100)]),
        new("action parameter: unix user (account.create username)", Param("account.create", "username"),
            ["alice", "_svc"], ["Root", "1a", "a b", new string('a', 33)], [new string('a', 31) + "!"]),
        new("action parameter: public key (account.create publicKey)", Param("account.create", "publicKey"),
            [PublicKey, PublicKey + " alice@laptop"], ["ssh-ed25519 AAAA", "ssh-dss " + PublicKey.Split(' ')[1], PublicKey + " a b"],
            ["ssh-ed25519 " + new string('A', 8000) + "!"]),
        new("action parameter: path (file.push path)", Param("file.push", "path"),
            ["/tmp/ok", "/etc/motd.d/10-x"], ["rel", "/tmp/../etc/passwd", "/tmp/-x", "/a b"],
            ["/" + new string('a', 200) + "!", "/" + string.Concat(Enumerable.Repeat("a/", 200)) + "!"]),
        new("action parameter: owner (file.push owner)", Param("file.push", "owner"),
            ["root"], ["Root", "a;b"], [new string('a', 31) + "!"]),
        new("action parameter: text pattern (file.push mode)", Param("file.push", "mode"),
            ["644", "0600"], ["888", "6444", "x"], ["064!"]),
        new("action parameter: text pattern (service.status unit)", Param("service.status", "unit"),
            ["cron.service"], ["a b", "a;b"], [new string('a', 127) + "!"]),
    ];

    public static IEnumerable<object[]> Cases() => All.Select(c => new object[] { c.Name });

    public static ValidatorCase Named(string name) => All.Single(c => c.Name == name);

    private static Func<string, string?> Err(Func<string, PortalError?> check) => v => check(v) is null ? v : null;

    private static Func<string, string?> Res<T>(Func<string, Result<T>> check, Func<T, string?> kept) => v => check(v) is { Ok: true } r ? kept(r.Value!) : null;

    private static Func<string, string?> Param(string action, string parameter)
    {
        var spec = Catalog.Find(action)!.Parameters.Single(p => p.Name == parameter);
        return v => spec.Validate(v) is { Ok: true } r ? r.Value : null;
    }

    private static SmtpSettingsInput Smtp(string host = "127.0.0.1", string? user = null, string from = "portal@example.test", string? helpdesk = null) =>
        new(host, 25, SmtpSecurity.None, user, null, from, helpdesk);

    private static string Ed25519Line()
    {
        var type = Encoding.ASCII.GetBytes("ssh-ed25519");
        var blob = new byte[4 + type.Length + 4 + 32];
        BinaryPrimitives.WriteInt32BigEndian(blob, type.Length);
        type.CopyTo(blob, 4);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4 + type.Length), 32);
        for (var i = 0; i < 32; i++) blob[4 + type.Length + 4 + i] = (byte)(i * 7 + 1);
        return "ssh-ed25519 " + Convert.ToBase64String(blob);
    }
}
