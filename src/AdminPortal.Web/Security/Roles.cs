namespace AdminPortal.Web.Security;

public static class Roles
{
    public const string Admin = "Admin";
    public const string SecurityLead = "SecurityLead";
    public const string Helpdesk = "Helpdesk";
    public const string Auditor = "Auditor";

    public static readonly IReadOnlyList<string> All = [Admin, SecurityLead, Helpdesk, Auditor];

    /// <summary>The canonical spelling of a role name, or null when there is no such role.</summary>
    public static string? Parse(string? value) =>
        All.FirstOrDefault(r => string.Equals(r, value?.Trim(), StringComparison.OrdinalIgnoreCase));
}
