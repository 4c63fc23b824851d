namespace AdminPortal.Web.Security;

/// <summary>
/// The permission matrix: each permission is an authorization policy granted to the roles listed. Pages and
/// endpoints name a permission, never a role, so this table (mirrored in the README) is the whole story.
/// </summary>
public static class Permissions
{
    public const string UsePortal = "portal.use";
    public const string AuditRead = "audit.read";
    public const string AuditExport = "audit.export";
    public const string AuditCheckpoint = "audit.checkpoint";
    public const string OperatorsManage = "operators.manage";
    public const string TokensManage = "tokens.manage";
    public const string SettingsManage = "settings.manage";
    public const string VpnUsersRead = "vpnusers.read";
    public const string BundlesDeliver = "bundles.deliver";
    public const string CertificatesIssue = "pki.issue";
    public const string CertificatesRevoke = "pki.revoke";
    public const string CrlManage = "pki.crl";
    public const string CaManage = "pki.ca";
    public const string HostsManage = "hosts.manage";
    public const string HostsTrust = "hosts.trust";
    public const string ActionsRun = "actions.run";
    public const string VpnServersManage = "vpnservers.manage";
    public const string MailManage = "mail.manage";

    public static readonly IReadOnlyDictionary<string, string[]> Matrix = new Dictionary<string, string[]>
    {
        [UsePortal] = [Roles.Admin, Roles.SecurityLead, Roles.Helpdesk, Roles.Auditor],
        [AuditRead] = [Roles.Admin, Roles.SecurityLead, Roles.Auditor],
        [AuditExport] = [Roles.Admin, Roles.Auditor],
        [AuditCheckpoint] = [Roles.Admin, Roles.SecurityLead],
        [OperatorsManage] = [Roles.Admin],
        [TokensManage] = [Roles.Admin],
        [SettingsManage] = [Roles.Admin],
        [VpnUsersRead] = [Roles.Admin, Roles.SecurityLead, Roles.Helpdesk],
        [BundlesDeliver] = [Roles.Admin, Roles.Helpdesk],
        [CertificatesIssue] = [Roles.Admin],
        [CertificatesRevoke] = [Roles.Admin, Roles.SecurityLead],
        [CrlManage] = [Roles.Admin, Roles.SecurityLead],
        [CaManage] = [Roles.Admin],
        [HostsManage] = [Roles.Admin],
        [HostsTrust] = [Roles.Admin, Roles.SecurityLead],
        [ActionsRun] = [Roles.Admin],
        [VpnServersManage] = [Roles.Admin],
        [MailManage] = [Roles.Admin],
    };

    public static bool Allows(string permission, string role) => Matrix[permission].Contains(role);
}
