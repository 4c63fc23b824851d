using System.Net;
using AdminPortal.Tests.Infrastructure;
using AdminPortal.Web.Security;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AdminPortal.Tests.Security;

/// <summary>
/// One API call per endpoint, with the permission it needs and the status an allowed caller gets for this
/// harmless request (an unknown id answers 404, an empty body 400: the call passed authorization and
/// changed nothing).
/// </summary>
public sealed record ApiCall(string Method, string Route, string Path, string Permission, HttpStatusCode Allowed, string? Body = null)
{
    public HttpRequestMessage Request() => new(new HttpMethod(Method), Path)
    {
        Content = Body is null ? null : SecurityClients.Json(Body),
    };

    public override string ToString() => $"{Method} {Path}";
}

public sealed record PageCall(string Path, string? Permission)
{
    /// <summary>An address of the page: route parameters ({Name}, {Token}) filled with "unknown".</summary>
    public string Url => System.Text.RegularExpressions.Regex.Replace(Path, "\\{[^}]+\\}", "unknown");
}

public static class AccessTable
{
    public static readonly IReadOnlyList<ApiCall> Api =
    [
        new("GET", "/api/v1/me", "/api/v1/me", Permissions.UsePortal, HttpStatusCode.OK),
        new("GET", "/api/v1/audit", "/api/v1/audit?limit=5", Permissions.AuditRead, HttpStatusCode.OK),
        new("GET", "/api/v1/audit/{sequence:long}", "/api/v1/audit/999999999", Permissions.AuditRead, HttpStatusCode.NotFound),
        new("GET", "/api/v1/audit/export", "/api/v1/audit/export?format=csv&action=nothing.matches", Permissions.AuditExport, HttpStatusCode.OK),
        new("GET", "/api/v1/audit/verify", "/api/v1/audit/verify", Permissions.AuditRead, HttpStatusCode.OK),
        new("POST", "/api/v1/audit/checkpoints", "/api/v1/audit/checkpoints", Permissions.AuditCheckpoint, HttpStatusCode.OK),
        new("GET", "/api/v1/operators", "/api/v1/operators", Permissions.OperatorsManage, HttpStatusCode.OK),
        new("POST", "/api/v1/operators", "/api/v1/operators", Permissions.OperatorsManage, HttpStatusCode.BadRequest, "{}"),
        new("PUT", "/api/v1/operators/{id}/role", "/api/v1/operators/no-such-operator/role", Permissions.OperatorsManage, HttpStatusCode.NotFound, """{"role":"Auditor"}"""),
        new("POST", "/api/v1/operators/{id}/disable", "/api/v1/operators/no-such-operator/disable", Permissions.OperatorsManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/operators/{id}/enable", "/api/v1/operators/no-such-operator/enable", Permissions.OperatorsManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/operators/{id}/reset-2fa", "/api/v1/operators/no-such-operator/reset-2fa", Permissions.OperatorsManage, HttpStatusCode.NotFound),
        new("GET", "/api/v1/tokens", "/api/v1/tokens", Permissions.TokensManage, HttpStatusCode.OK),
        new("POST", "/api/v1/tokens", "/api/v1/tokens", Permissions.TokensManage, HttpStatusCode.BadRequest, "{}"),
        new("DELETE", "/api/v1/tokens/{name}", "/api/v1/tokens/no-such-token", Permissions.TokensManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/ca", "/api/v1/ca", Permissions.CaManage, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/ca", "/api/v1/ca", Permissions.CrlManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/ca/intermediate", "/api/v1/ca/intermediate", Permissions.CaManage, HttpStatusCode.BadRequest, "{}"),
        new("POST", "/api/v1/ca/import", "/api/v1/ca/import", Permissions.CaManage, HttpStatusCode.BadRequest, "{}"),
        new("POST", "/api/v1/vpn-users", "/api/v1/vpn-users", Permissions.CertificatesIssue, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/vpn-users", "/api/v1/vpn-users", Permissions.VpnUsersRead, HttpStatusCode.OK),
        new("GET", "/api/v1/vpn-users/{name}", "/api/v1/vpn-users/no-such-user", Permissions.VpnUsersRead, HttpStatusCode.NotFound),
        new("POST", "/api/v1/vpn-users/{name}/revoke", "/api/v1/vpn-users/no-such-user/revoke", Permissions.CertificatesRevoke, HttpStatusCode.NotFound, "{}"),
        new("POST", "/api/v1/vpn-users/{name}/renew", "/api/v1/vpn-users/no-such-user/renew", Permissions.CertificatesIssue, HttpStatusCode.NotFound),
        new("GET", "/api/v1/certificates", "/api/v1/certificates", Permissions.VpnUsersRead, HttpStatusCode.OK),
        new("POST", "/api/v1/vpn-profiles", "/api/v1/vpn-profiles", Permissions.VpnServersManage, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/vpn-profiles", "/api/v1/vpn-profiles", Permissions.VpnUsersRead, HttpStatusCode.OK),
        new("POST", "/api/v1/vpn-profiles/{name}/compromised", "/api/v1/vpn-profiles/no-such-profile/compromised", Permissions.VpnServersManage, HttpStatusCode.NotFound, """{"confirm":"no-such-profile"}"""),
        new("GET", "/api/v1/vpn-profiles/{name}/server-files", "/api/v1/vpn-profiles/no-such-profile/server-files", Permissions.VpnServersManage, HttpStatusCode.NotFound),
        new("GET", "/api/v1/vpn-users/{name}/bundle", "/api/v1/vpn-users/no-such-user/bundle?profile=p&platform=ovpn", Permissions.BundlesDeliver, HttpStatusCode.NotFound),
        new("POST", "/api/v1/vpn-users/{name}/download-links", "/api/v1/vpn-users/no-such-user/download-links", Permissions.BundlesDeliver, HttpStatusCode.NotFound, """{"profile":"p","platform":"ovpn"}"""),
        new("GET", "/api/v1/vpn-users/{name}/download-links", "/api/v1/vpn-users/no-such-user/download-links", Permissions.BundlesDeliver, HttpStatusCode.OK),
        new("POST", "/api/v1/download-links/{id}/revoke", "/api/v1/download-links/00000000-0000-0000-0000-000000000000/revoke", Permissions.BundlesDeliver, HttpStatusCode.NotFound),
        new("GET", "/api/v1/outbox", "/api/v1/outbox?status=failed", Permissions.SettingsManage, HttpStatusCode.OK),
        new("POST", "/api/v1/outbox/{id:guid}/retry", "/api/v1/outbox/00000000-0000-0000-0000-000000000000/retry", Permissions.SettingsManage, HttpStatusCode.NotFound),
        new("GET", "/api/v1/settings/smtp", "/api/v1/settings/smtp", Permissions.SettingsManage, HttpStatusCode.OK),
        new("PUT", "/api/v1/settings/smtp", "/api/v1/settings/smtp", Permissions.SettingsManage, HttpStatusCode.BadRequest, "{}"),
        new("POST", "/api/v1/settings/smtp/test", "/api/v1/settings/smtp/test", Permissions.SettingsManage, HttpStatusCode.BadRequest, "{}"),
        new("POST", "/api/v1/credentials", "/api/v1/credentials", Permissions.HostsManage, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/credentials", "/api/v1/credentials", Permissions.HostsManage, HttpStatusCode.OK),
        new("POST", "/api/v1/hosts", "/api/v1/hosts", Permissions.HostsManage, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/hosts", "/api/v1/hosts", Permissions.HostsTrust, HttpStatusCode.OK),
        new("GET", "/api/v1/hosts/{name}", "/api/v1/hosts/no-such-host", Permissions.HostsTrust, HttpStatusCode.NotFound),
        new("POST", "/api/v1/hosts/{name}/trust", "/api/v1/hosts/no-such-host/trust", Permissions.HostsTrust, HttpStatusCode.NotFound,
            $$$"""{"fingerprint":"SHA256:{{{new string('A', 43)}}}"}"""),
        new("GET", "/api/v1/actions", "/api/v1/actions", Permissions.ActionsRun, HttpStatusCode.OK),
        new("POST", "/api/v1/runs", "/api/v1/runs", Permissions.ActionsRun, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/runs", "/api/v1/runs", Permissions.ActionsRun, HttpStatusCode.OK),
        new("GET", "/api/v1/runs/{id}", "/api/v1/runs/no-such-run", Permissions.ActionsRun, HttpStatusCode.NotFound),
        new("POST", "/api/v1/vpn-servers", "/api/v1/vpn-servers", Permissions.VpnServersManage, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/vpn-servers", "/api/v1/vpn-servers", Permissions.HostsTrust, HttpStatusCode.OK),
        new("GET", "/api/v1/vpn-servers/{name}", "/api/v1/vpn-servers/no-such-server", Permissions.HostsTrust, HttpStatusCode.NotFound),
        new("GET", "/api/v1/vpn-servers/{name}/crl", "/api/v1/vpn-servers/no-such-server/crl", Permissions.CrlManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/vpn-servers/{name}/crl", "/api/v1/vpn-servers/no-such-server/crl", Permissions.CrlManage, HttpStatusCode.NotFound),
        new("GET", "/api/v1/vpn-users/{name}/client-config", "/api/v1/vpn-users/no-such-user/client-config", Permissions.VpnUsersRead, HttpStatusCode.NotFound),
        new("PUT", "/api/v1/vpn-users/{name}/client-config", "/api/v1/vpn-users/no-such-user/client-config", Permissions.VpnServersManage, HttpStatusCode.NotFound, "{}"),
        new("PUT", "/api/v1/vpn-servers/{name}/directives", "/api/v1/vpn-servers/no-such-server/directives", Permissions.VpnServersManage, HttpStatusCode.NotFound, "{}"),
        new("GET", "/api/v1/vpn-servers/{name}/diff", "/api/v1/vpn-servers/no-such-server/diff", Permissions.VpnServersManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/vpn-servers/{name}/publish", "/api/v1/vpn-servers/no-such-server/publish", Permissions.VpnServersManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/vpn-servers/{name}/rebuild", "/api/v1/vpn-servers/no-such-server/rebuild", Permissions.VpnServersManage, HttpStatusCode.NotFound, """{"host":"no-such-host"}"""),
        new("GET", "/api/v1/vpn-servers/{name}/clients", "/api/v1/vpn-servers/no-such-server/clients", Permissions.HostsTrust, HttpStatusCode.NotFound),
        new("POST", "/api/v1/vpn-servers/{name}/clients/{id}/kick", "/api/v1/vpn-servers/no-such-server/clients/1/kick", Permissions.CertificatesRevoke, HttpStatusCode.NotFound),
        new("POST", "/api/v1/runs/{id}/cancel", "/api/v1/runs/no-such-run/cancel", Permissions.ActionsRun, HttpStatusCode.NotFound),
        new("GET", "/api/v1/notification-templates", "/api/v1/notification-templates", Permissions.SettingsManage, HttpStatusCode.OK),
        new("PUT", "/api/v1/notification-templates/{kind}", "/api/v1/notification-templates/no-such-kind", Permissions.SettingsManage, HttpStatusCode.NotFound, "{}"),
        new("POST", "/api/v1/notification-templates/{kind}/preview", "/api/v1/notification-templates/no-such-kind/preview", Permissions.SettingsManage, HttpStatusCode.NotFound, "{}"),
        new("DELETE", "/api/v1/notification-templates/{kind}", "/api/v1/notification-templates/no-such-kind", Permissions.SettingsManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/onboarding", "/api/v1/onboarding", Permissions.CertificatesIssue, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/onboarding", "/api/v1/onboarding", Permissions.CertificatesIssue, HttpStatusCode.OK),
        new("GET", "/api/v1/onboarding/{id:guid}", "/api/v1/onboarding/00000000-0000-0000-0000-000000000000", Permissions.CertificatesIssue, HttpStatusCode.NotFound),
        new("POST", "/api/v1/onboarding/{id:guid}/retry", "/api/v1/onboarding/00000000-0000-0000-0000-000000000000/retry", Permissions.CertificatesIssue, HttpStatusCode.NotFound),
        new("POST", "/api/v1/mail-hosts", "/api/v1/mail-hosts", Permissions.MailManage, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/mail-hosts", "/api/v1/mail-hosts", Permissions.MailManage, HttpStatusCode.OK),
        new("POST", "/api/v1/mailboxes", "/api/v1/mailboxes", Permissions.MailManage, HttpStatusCode.BadRequest, "{}"),
        new("GET", "/api/v1/mailboxes", "/api/v1/mailboxes?host=no-such-host", Permissions.MailManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/mailboxes/{address}/password", "/api/v1/mailboxes/nobody@example.test/password", Permissions.MailManage, HttpStatusCode.NotFound, "{}"),
        new("POST", "/api/v1/mailboxes/{address}/disable", "/api/v1/mailboxes/nobody@example.test/disable", Permissions.MailManage, HttpStatusCode.NotFound),
        new("POST", "/api/v1/mailboxes/{address}/enable", "/api/v1/mailboxes/nobody@example.test/enable", Permissions.MailManage, HttpStatusCode.NotFound),
        new("DELETE", "/api/v1/mailboxes/{address}", "/api/v1/mailboxes/nobody@example.test", Permissions.MailManage, HttpStatusCode.NotFound),
    ];

    /// <summary>Pages behind a permission; <see cref="PageCall.Permission"/> null marks the pages open to anyone.</summary>
    public static readonly IReadOnlyList<PageCall> Pages =
    [
        new("/", Permissions.UsePortal),
        new("/audit", Permissions.AuditRead),
        new("/operators", Permissions.OperatorsManage),
        new("/settings", Permissions.SettingsManage),
        new("/ca", Permissions.CrlManage),
        new("/vpn-users", Permissions.VpnUsersRead),
        new("/vpn-users/{Name}", Permissions.VpnUsersRead),
        new("/vpn-users/{Name}/revoke", Permissions.CertificatesRevoke),
        new("/certificates", Permissions.VpnUsersRead),
        new("/bundles", Permissions.BundlesDeliver),
        new("/vpn-profiles", Permissions.VpnUsersRead),
        new("/outbox", Permissions.SettingsManage),
        new("/hosts", Permissions.HostsTrust),
        new("/hosts/{Name}", Permissions.HostsTrust),
        new("/actions", Permissions.ActionsRun),
        new("/runs", Permissions.ActionsRun),
        new("/runs/{Id}", Permissions.ActionsRun),
        new("/mail-hosts", Permissions.MailManage),
        new("/mailboxes", Permissions.MailManage),
        new("/vpn-servers", Permissions.HostsTrust),
        new("/vpn-servers/{Name}", Permissions.HostsTrust),
        new("/onboarding", Permissions.CertificatesIssue),
        new("/onboarding/{Id}", Permissions.CertificatesIssue),
        new("/notification-templates", Permissions.SettingsManage),
        new("/account/login", null),
        new("/account/login-2fa", null),
        new("/account/setup/{Token}", null),
        new("/account/access-denied", null),
        new("/not-found", null),
    ];

    /// <summary>Reached with a password-only session (before TOTP); checked by the enrolment tests.</summary>
    public const string EnrolmentPage = "/account/enrol";

    /// <summary>"METHOD /route" of every API endpoint the running app maps.</summary>
    public static IReadOnlyList<string> MappedApiRoutes(PortalApp app) =>
        Endpoints(app)
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} {Normal(e)}"))
            .Order().ToList();

    /// <summary>The route of every page component the running app maps.</summary>
    public static IReadOnlyList<string> MappedPages(PortalApp app) =>
        Endpoints(app).Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null).Select(Normal).Distinct().Order().ToList();

    private static IEnumerable<RouteEndpoint> Endpoints(PortalApp app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    private static string Normal(RouteEndpoint e)
    {
        var raw = e.RoutePattern.RawText!.TrimEnd('/');
        return raw.Length == 0 ? "/" : raw.StartsWith('/') ? raw : "/" + raw;
    }
}
